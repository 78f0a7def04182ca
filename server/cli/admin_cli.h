#pragma once

#include "core/identity/identity.h"

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// True for the first word of an administration command ("org", "user").
[[nodiscard]] bool isAdminCommand(std::string_view word);

// Runs an administration command against the identity module and returns the exit code:
//
//   org add <slug> <name>
//   user add --org <slug> --login <login> --name <name> --email <email>   (password on stdin)
//   user disable --login <login>
//
// Passwords are read from `in` (one line; echo is turned off on a terminal), never from the
// command line, where other users of the machine could read them.
[[nodiscard]] int runAdminCommand(std::string_view command, const std::vector<std::string> &args,
                                  IdentityStore &identity, std::istream &in, std::ostream &out,
                                  std::ostream &err);

} // namespace toolhub::server
