#include "cli/admin_cli.h"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
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
    "  toolhub-server user disable --login <login>\n"
    "  toolhub-server user enable --login <login>\n"
    "  toolhub-server user grant --login <login> --role <role> [--org <slug>]\n"
    "  toolhub-server user revoke --login <login> --role <role> [--org <slug>]\n"
    "  toolhub-server service-account create <name> --scope <permission> [--scope ...]\n"
    "      [--lifetime-days <n>] [--description <text>]   (prints the token once)\n"
    "  toolhub-server service-account list\n"
    "  toolhub-server service-account revoke <name> --token <token id>\n"
    "  toolhub-server service-account disable|enable <name>\n";

// "--key value" pairs; nullopt (with a message) for anything else, an unexpected key, or a
// missing required one. Only keys in `repeatable` may be given more than once.
std::optional<std::multimap<std::string, std::string>>
parseOptions(const std::vector<std::string> &args, std::size_t from,
             const std::vector<std::string_view> &required, std::ostream &err,
             const std::vector<std::string_view> &optional = {},
             const std::vector<std::string_view> &repeatable = {})
{
    std::multimap<std::string, std::string> options;
    const auto listed = [](const std::vector<std::string_view> &keys, const std::string &key) {
        return std::find(keys.begin(), keys.end(), key) != keys.end();
    };
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
        if (!listed(required, key) && !listed(optional, key) && !listed(repeatable, key)) {
            err << "toolhub-server: unknown option --" << key << "\n" << usage;
            return std::nullopt;
        }
        if (options.contains(key) && !listed(repeatable, key)) {
            err << "toolhub-server: --" << key << " is given twice\n" << usage;
            return std::nullopt;
        }
        options.emplace(key, value);
    }
    for (const auto key : required) {
        if (!options.contains(std::string{key})) {
            err << "toolhub-server: --" << key << " is required\n" << usage;
            return std::nullopt;
        }
    }
    return options;
}

// The value of a key parseOptions() checked to be there once.
const std::string &one(const std::multimap<std::string, std::string> &options, const char *key)
{
    return options.find(key)->second;
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
    return word == "org" || word == "user" || word == "service-account";
}

int runAdminCommand(std::string_view command, const std::vector<std::string> &args,
                    const AdminModules &modules, std::istream &in, std::ostream &out,
                    std::ostream &err)
{
    IdentityStore &identity = modules.auth.identity();
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
        auto org = identity.findOrganizationBySlug(one(*options, "org"));
        if (!org) {
            return report(org.error().code == ErrorCode::NotFound
                              ? Error{ErrorCode::InvalidArgument,
                                      "no organization \"" + one(*options, "org") + "\""}
                              : org.error(),
                          err);
        }
        auto password = readPassword(in, err);
        if (!password) {
            err << "toolhub-server: expected the password on standard input\n";
            return exitUsage;
        }
        auto user =
            identity.createLocalUser({org->id, one(*options, "login"), one(*options, "name"),
                                      one(*options, "email"), *password});
        secureZero(password->data(), password->size());
        if (!user) {
            return report(user.error(), err);
        }
        out << "user " << user->login << " created (id " << user->id << ")\n";
        return exitOk;
    }
    if (command == "user" && (action == "disable" || action == "enable")) {
        const auto options = parseOptions(args, 1, {"login"}, err);
        if (!options) {
            return exitUsage;
        }
        auto user = identity.findUserByLogin(one(*options, "login"));
        if (!user) {
            return report(user.error(), err);
        }
        auto changed = action == "disable" ? modules.auth.disableUser(user->id)
                                           : identity.enableUser(user->id);
        if (!changed) {
            return report(changed.error(), err);
        }
        out << "user " << user->login << (action == "disable" ? " disabled\n" : " enabled\n");
        return exitOk;
    }
    if (command == "user" && (action == "grant" || action == "revoke")) {
        const auto options = parseOptions(args, 1, {"login", "role"}, err, {"org"});
        if (!options) {
            return exitUsage;
        }
        auto user = identity.findUserByLogin(one(*options, "login"));
        if (!user) {
            return report(user.error(), err);
        }
        Scope scope = Scope::global();
        if (options->contains("org")) {
            auto org = identity.findOrganizationBySlug(one(*options, "org"));
            if (!org) {
                return report(org.error(), err);
            }
            scope = Scope::organization(org->id);
        }
        const RoleGrant grant{one(*options, "role"), scope};
        auto changed = action == "grant" ? modules.access.grant(user->id, grant)
                                         : modules.access.revoke(user->id, grant);
        if (!changed) {
            return report(changed.error(), err);
        }
        out << "user " << user->login << (action == "grant" ? " holds " : " no longer holds ")
            << grant.role << " "
            << (options->contains("org") ? "in " + one(*options, "org") : std::string{"globally"})
            << "\n";
        return exitOk;
    }
    if (command == "service-account" && action == "create") {
        if (args.size() < 2 || args[1].starts_with("--")) {
            err << "toolhub-server: service-account create needs a name\n" << usage;
            return exitUsage;
        }
        const auto options =
            parseOptions(args, 2, {"scope"}, err, {"lifetime-days", "description"}, {"scope"});
        if (!options) {
            return exitUsage;
        }
        std::int64_t days = ServiceAccounts::defaultTokenLifetime / 86400;
        if (options->contains("lifetime-days")) {
            const std::string &text = one(*options, "lifetime-days");
            const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), days);
            if (ec != std::errc{} || end != text.data() + text.size() || days < 1 ||
                days > ServiceAccounts::maxTokenLifetime / 86400) {
                err << "toolhub-server: --lifetime-days must be a whole number from 1 to 366\n";
                return exitUsage;
            }
        }
        std::vector<std::string> scopes;
        for (auto [it, end] = options->equal_range("scope"); it != end; ++it) {
            scopes.push_back(it->second);
        }
        auto account = modules.services.findByName(args[1]);
        if (!account && account.error().code == ErrorCode::NotFound) {
            account = modules.services.create(
                args[1], options->contains("description") ? one(*options, "description") : "");
        }
        if (!account) {
            return report(account.error(), err);
        }
        auto issued = modules.services.issueToken(account->id, "cli", scopes, days * 86400);
        if (!issued) {
            return report(issued.error(), err);
        }
        out << "service account " << account->name << " (id " << account->id << "): token "
            << issued->token.id << " expires in " << days << " days; it is shown only now:\n"
            << issued->secret << "\n";
        return exitOk;
    }
    if (command == "service-account" && action == "list") {
        auto accounts = modules.services.accounts();
        if (!accounts) {
            return report(accounts.error(), err);
        }
        for (const auto &account : *accounts) {
            out << account.name << (account.disabled ? " (disabled)" : "") << "\n";
            auto tokens = modules.services.tokens(account.id);
            if (!tokens) {
                return report(tokens.error(), err);
            }
            for (const auto &token : *tokens) {
                std::string scopes;
                for (const auto &scope : token.scopes) {
                    scopes += " " + scope;
                }
                out << "  token " << token.id << (token.revokedAt != 0 ? " revoked" : "")
                    << " expires_at " << token.expiresAt << " last_used_at " << token.lastUsedAt
                    << " scopes" << scopes << "\n";
            }
        }
        return exitOk;
    }
    if (command == "service-account" && (action == "disable" || action == "enable")) {
        if (args.size() != 2) {
            err << "toolhub-server: service-account " << action << " needs a name\n" << usage;
            return exitUsage;
        }
        auto account = modules.services.findByName(args[1]);
        if (!account) {
            return report(account.error(), err);
        }
        if (auto changed = modules.services.setDisabled(account->id, action == "disable");
            !changed) {
            return report(changed.error(), err);
        }
        out << "service account " << account->name
            << (action == "disable" ? " disabled: every token of it is refused\n" : " enabled\n");
        return exitOk;
    }
    if (command == "service-account" && action == "revoke") {
        if (args.size() < 2 || args[1].starts_with("--")) {
            err << "toolhub-server: service-account revoke needs a name\n" << usage;
            return exitUsage;
        }
        const auto options = parseOptions(args, 2, {"token"}, err);
        if (!options) {
            return exitUsage;
        }
        auto account = modules.services.findByName(args[1]);
        if (!account) {
            return report(account.error(), err);
        }
        if (auto revoked = modules.services.revokeToken(account->id, one(*options, "token"));
            !revoked) {
            return report(revoked.error(), err);
        }
        out << "token " << one(*options, "token") << " revoked\n";
        return exitOk;
    }
    err << "toolhub-server: unknown command \"" << command << (action.empty() ? "" : " ") << action
        << "\"\n"
        << usage;
    return exitUsage;
}

} // namespace toolhub::server
