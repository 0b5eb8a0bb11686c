// `portcullis serve`: wires configuration, identities, the edge dispatcher and the HTTP server,
// and runs until SIGTERM or SIGINT.
#pragma once

#include "app/config.h"

namespace portcullis::app {

int serve(Config config);

}  // namespace portcullis::app
