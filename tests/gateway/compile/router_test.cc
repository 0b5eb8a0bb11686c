// The route trie: literal > {param} > {proxy+} with backtracking, {proxy+} never matching its
// bare parent, trailing and doubled slashes, dot segments, case, undecoded values.
#include "gateway/compile/router.h"

#include <gtest/gtest.h>

#include <map>

namespace portcullis::gateway {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void add(std::string path, bool methods = true) {
    int32_t id = static_cast<int32_t>(names_.size());
    names_.push_back(path);
    has_methods_.push_back(methods);
    router_.add(path, id);
  }
  // The template reached by `path` (after the stage), or "" for none; params into `params`.
  std::string match(std::string path, std::map<std::string, std::string>* params = nullptr) {
    path_ = std::move(path);
    segments_.split(path_);
    auto m = router_.match(segments_, 0, joined_, [&](int32_t id) { return has_methods_[id]; });
    if (params)
      for (const PathParam& p : m.params) (*params)[std::string(p.name)] = std::string(p.value);
    return m.id < 0 ? "" : names_[m.id];
  }

  Router router_;
  std::vector<std::string> names_;
  std::vector<bool> has_methods_;
  std::string path_, joined_;
  PathSegments segments_;
};

TEST_F(RouterTest, LiteralBeatsVariableBeatsGreedy) {
  add("/");
  add("/pets");
  add("/pets/{petId}");
  add("/pets/special");
  add("/pets/{proxy+}");
  EXPECT_EQ(match("/pets/special"), "/pets/special");
  std::map<std::string, std::string> p;
  EXPECT_EQ(match("/pets/7", &p), "/pets/{petId}");
  EXPECT_EQ(p["petId"], "7");
  p.clear();
  EXPECT_EQ(match("/pets/7/toys", &p), "/pets/{proxy+}");
  EXPECT_EQ(p["proxy"], "7/toys");
  EXPECT_EQ(match("/"), "/");
  EXPECT_EQ(match(""), "/");
}

TEST_F(RouterTest, BacktracksFromALiteralDeadEnd) {
  add("/pets/special");
  add("/pets/{petId}/toys");
  add("/{proxy+}");
  EXPECT_EQ(match("/pets/special/toys"), "/pets/{petId}/toys");
  EXPECT_EQ(match("/pets/special/other"), "/{proxy+}");
  EXPECT_EQ(match("/other"), "/{proxy+}");
}

TEST_F(RouterTest, ResourcesWithoutMethodsDoNotMatch) {
  add("/bare", false);
  add("/bare/below");
  add("/{proxy+}");
  EXPECT_EQ(match("/bare"), "/{proxy+}");
  EXPECT_EQ(match("/bare/below"), "/bare/below");
}

TEST_F(RouterTest, GreedyNeedsAtLeastOneSegment) {
  add("/files/{proxy+}");
  EXPECT_EQ(match("/files"), "");
  EXPECT_EQ(match("/files/"), "");
  EXPECT_EQ(match("/files/a"), "/files/{proxy+}");
  add("/{proxy+}");
  EXPECT_EQ(match("/"), "");  // {proxy+} never matches the root
}

TEST_F(RouterTest, SlashesAndDots) {
  add("/a/b");
  add("/files/{proxy+}");
  EXPECT_EQ(match("/a/b/"), "/a/b");
  EXPECT_EQ(match("//a//b"), "/a/b");
  EXPECT_EQ(match("/a/./b"), "/a/b");
  EXPECT_EQ(match("/x/../a/b"), "/a/b");
  EXPECT_EQ(match("/../../a/b"), "/a/b");
  std::map<std::string, std::string> p;
  // Inside a greedy value, repeated slashes are kept and a trailing one dropped (§1.3).
  EXPECT_EQ(match("/files/a//b/", &p), "/files/{proxy+}");
  EXPECT_EQ(p["proxy"], "a//b");
  p.clear();
  EXPECT_EQ(match("/files/a/x/../b", &p), "/files/{proxy+}");
  EXPECT_EQ(p["proxy"], "a/b");
}

TEST_F(RouterTest, CaseSensitiveAndUndecoded) {
  add("/pets");
  add("/{id}");
  EXPECT_EQ(match("/Pets"), "/{id}");
  std::map<std::string, std::string> p;
  EXPECT_EQ(match("/a%2Fb", &p), "/{id}");
  EXPECT_EQ(p["id"], "a%2Fb");
  p.clear();
  EXPECT_EQ(match("/%70ets", &p), "/{id}");  // never decoded into "pets"
  EXPECT_EQ(p["id"], "%70ets");
  EXPECT_EQ(match("/%2e%2e"), "/{id}");
}

TEST_F(RouterTest, FirstSegmentSkipsTheStage) {
  add("/");
  add("/pets");
  path_ = "/prod/pets";
  segments_.split(path_);
  auto m = router_.match(segments_, 1, joined_, [](int32_t) { return true; });
  EXPECT_EQ(names_[m.id], "/pets");
  path_ = "/prod";
  segments_.split(path_);
  m = router_.match(segments_, 1, joined_, [](int32_t) { return true; });
  EXPECT_EQ(names_[m.id], "/");
}

TEST_F(RouterTest, WideNodesAreIndexed) {
  for (int i = 0; i < 100; ++i) add("/r" + std::to_string(i));
  add("/{id}");
  router_.finish();
  EXPECT_EQ(match("/r42"), "/r42");
  EXPECT_EQ(match("/r100"), "/{id}");
  add("/r100");  // adding after finish() drops the index; matching still works
  EXPECT_EQ(match("/r100"), "/r100");
  router_.finish();
  EXPECT_EQ(match("/r100"), "/r100");
  EXPECT_EQ(match("/r7"), "/r7");
}

TEST_F(RouterTest, HostileTreesEndInNoMatch) {
  // Literal and variable at every level, failing at the end: every branch is tried, and
  // each node at most once (a node's depth fixes the segment it reads).
  std::string literal, variable;
  for (int i = 0; i < 40; ++i) {
    literal += "/a";
    add(literal + "/{v" + std::to_string(i) + "}", false);
  }
  add(literal + "/end");
  std::string path;
  for (int i = 0; i < 40; ++i) path += "/a";
  EXPECT_EQ(match(path + "/end"), literal + "/end");
  EXPECT_EQ(match(path + "/nothing/more"), "");
}

}  // namespace
}  // namespace portcullis::gateway
