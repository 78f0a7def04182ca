#pragma once

#include "core/access/access.h"
#include "core/access/service_accounts.h"
#include "core/auth/auth_module.h"
#include "core/identity/identity.h"

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace toolhub::server {

// True for the first word of an administration command ("org", "user", "service-account").
[[nodiscard]] bool isAdminCommand(std::string_view word);

// What administration commands act on.
struct AdminModules {
    AuthModule &auth;
    AccessControl &access;
    ServiceAccounts &services;
};

// Runs an administration command and returns the exit code:
//
//   org add <slug> <name>
//   user add --org <slug> --login <login> --name <name> --email <email>   (password on stdin)
//   user disable --login <login>          also ends the user's sessions and refresh tokens
//   user enable --login <login>
//   user grant --login <login> --role <role> [--org <slug>]   in the organization, else globally
//   user revoke --login <login> --role <role> [--org <slug>]
//   service-account create <name> --scope <permission> [--scope ...] [--lifetime-days <n>]
//                                 [--description <text>]
//       creates the account if it is new and issues a token, printed alone on the last line
//       (the only time it is shown)
//   service-account list
//   service-account revoke <name> --token <token id>
//   service-account disable|enable <name>   a disabled account's tokens are all refused
//
// Passwords are read from `in` (one line; echo is turned off on a terminal), never from the
// command line, where other users of the machine could read them.
[[nodiscard]] int runAdminCommand(std::string_view command, const std::vector<std::string> &args,
                                  const AdminModules &modules, std::istream &in, std::ostream &out,
                                  std::ostream &err);

} // namespace toolhub::server
