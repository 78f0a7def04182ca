#include "cli/admin_cli.h"

#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <map>
#include <optional>

namespace toolhub::server {

namespace {

constexpr int exitOk = 0;
constexpr int exitFailure = 1;
constexpr int exitUsage = 2;

constexpr std::string_view usage =
    "usage:\n"
    "  toolhub-server org add <slug> <name>\n"
    "  toolhub-server user add --org <slug> --login <login> --name <name> --email <email>\n"
    "      (reads the password from standard input)\n"
    "  toolhub-server user disable --login <login>\n";

// "--key value" pairs; nullopt (with a message) for anything else or an unexpected key.
std::optional<std::map<std::string, std::string>>
parseOptions(const std::vector<std::string> &args, std::size_t from,
             const std::vector<std::string_view> &allowed, std::ostream &err)
{
    std::map<std::string, std::string> options;
    for (std::size_t i = from; i < args.size(); ++i) {
        const std::string &arg = args[i];
        std::string key;
        std::string value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            key = arg.substr(2, eq - 2);
            value = arg.substr(eq + 1);
        } else if (arg.starts_with("--") && i + 1 < args.size()) {
            key = arg.substr(2);
            value = args[++i];
        } else {
            err << "toolhub-server: unexpected argument \"" << arg << "\"\n" << usage;
            return std::nullopt;
        }
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            err << "toolhub-server: unknown option --" << key << "\n" << usage;
            return std::nullopt;
        }
        options[key] = value;
    }
    for (const auto key : allowed) {
        if (!options.contains(std::string{key})) {
            err << "toolhub-server: --" << key << " is required\n" << usage;
            return std::nullopt;
        }
    }
    return options;
}

// One line from `in`; on a terminal, prompts on `err` and does not echo.
std::optional<std::string> readPassword(std::istream &in, std::ostream &err)
{
    const bool terminal = &in == &std::cin && isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (terminal && tcgetattr(STDIN_FILENO, &saved) == 0) {
        termios silent = saved;
        silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
        err << "Password: " << std::flush;
    }
    std::string password;
    const bool got = static_cast<bool>(std::getline(in, password));
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        err << "\n";
    }
    if (!got) {
        return std::nullopt;
    }
    if (!password.empty() && password.back() == '\r') {
        password.pop_back();
    }
    return password;
}

int report(const Error &error, std::ostream &err)
{
    err << "toolhub-server: " << error.message << "\n";
    return error.code == ErrorCode::InvalidArgument ? exitUsage : exitFailure;
}

} // namespace

bool isAdminCommand(std::string_view word)
{
    return word == "org" || word == "user";
}

int runAdminCommand(std::string_view command, const std::vector<std::string> &args,
                    IdentityStore &identity, std::istream &in, std::ostream &out, std::ostream &err)
{
    const std::string action = args.empty() ? std::string{} : args.front();
    if (command == "org" && action == "add") {
        if (args.size() != 3) {
            err << "toolhub-server: org add needs a slug and a name\n" << usage;
            return exitUsage;
        }
        auto org = identity.createOrganization(args[1], args[2]);
        if (!org) {
            return report(org.error(), err);
        }
        out << "organization " << org->slug << " created (id " << org->id << ")\n";
        return exitOk;
    }
    if (command == "user" && action == "add") {
        const auto options = parseOptions(args, 1, {"org", "login", "name", "email"}, err);
        if (!options) {
            return exitUsage;
        }
        auto org = identity.findOrganizationBySlug(options->at("org"));
        if (!org) {
            return report(org.error().code == ErrorCode::NotFound
                              ? Error{ErrorCode::InvalidArgument,
                                      "no organization \"" + options->at("org") + "\""}
                              : org.error(),
                          err);
        }
        auto password = readPassword(in, err);
        if (!password) {
            err << "toolhub-server: expected the password on standard input\n";
            return exitUsage;
        }
        auto user = identity.createLocalUser(
            {org->id, options->at("login"), options->at("name"), options->at("email"), *password});
        secureZero(password->data(), password->size());
        if (!user) {
            return report(user.error(), err);
        }
        out << "user " << user->login << " created (id " << user->id << ")\n";
        return exitOk;
    }
    if (command == "user" && action == "disable") {
        const auto options = parseOptions(args, 1, {"login"}, err);
        if (!options) {
            return exitUsage;
        }
        auto user = identity.findUserByLogin(options->at("login"));
        if (!user) {
            return report(user.error(), err);
        }
        if (auto disabled = identity.disableUser(user->id); !disabled) {
            return report(disabled.error(), err);
        }
        out << "user " << user->login << " disabled\n";
        return exitOk;
    }
    err << "toolhub-server: unknown command \"" << command << (action.empty() ? "" : " ") << action
        << "\"\n"
        << usage;
    return exitUsage;
}

} // namespace toolhub::server
