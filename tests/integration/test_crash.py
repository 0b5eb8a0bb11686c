"""Crash safety: the server is killed (SIGKILL) while clients write, again and again; after each
restart every acknowledged write is there and nothing is half-written."""

from __future__ import annotations

import random
import threading
import time

from botocore.exceptions import BotoCoreError, ClientError

from portcullis_helpers import PortcullisServer

ROUNDS = 8


def writer(server: PortcullisServer, prefix: str, acked: list[str], stop: threading.Event):
    iam = server.client("iam")  # no retries: a failed call is not acknowledged
    i = 0
    while not stop.is_set():
        name = f"{prefix}-{i}"
        try:
            # Three documents in one transaction: the user, its inline policy and its tags.
            iam.create_user(UserName=name, Tags=[{"Key": "n", "Value": str(i)}])
            iam.put_user_policy(UserName=name, PolicyName="p",
                                PolicyDocument='{"Version":"2012-10-17","Statement":{"Effect":'
                                               '"Allow","Action":"s3:GetObject","Resource":"*"}}')
            acked.append(name)
        except (BotoCoreError, ClientError):
            return  # the server is gone
        i += 1


def test_sigkill_during_writes_loses_nothing_acknowledged(tmp_path):
    state = tmp_path / "state"
    rng = random.Random(7)
    acked: list[str] = []
    for round_ in range(ROUNDS):
        server = PortcullisServer(state, ("--access-log", "false"), home=tmp_path)
        try:
            stop = threading.Event()
            threads = [threading.Thread(target=writer, args=(server, f"r{round_}t{t}", acked, stop))
                       for t in range(2)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.2, 0.6))
            server.kill()  # SIGKILL, mid-write
            stop.set()
            for t in threads:
                t.join(timeout=10)
                assert not t.is_alive()
        finally:
            server.terminate()

    server = PortcullisServer(state, home=tmp_path)
    try:
        iam = server.client("iam")
        users = {}
        for page in iam.get_paginator("list_users").paginate():
            for u in page["Users"]:
                users[u["UserName"]] = u
        assert len(acked) >= ROUNDS, f"only {len(acked)} writes acknowledged: too few to exercise"
        print(f"{len(acked)} acknowledged writes over {ROUNDS} kills")
        missing = [n for n in acked if n not in users]
        assert not missing, f"acknowledged but lost: {missing}"
        # Every acknowledged user is whole: its tags and policy came back with it.
        for name in acked:
            assert iam.list_user_tags(UserName=name)["Tags"][0]["Key"] == "n"
            assert iam.get_user_policy(UserName=name, PolicyName="p")["PolicyDocument"]["Statement"]
        # And every user present (acknowledged or not) is readable: nothing half-written.
        for name in users:
            iam.get_user(UserName=name)
    finally:
        server.terminate()
