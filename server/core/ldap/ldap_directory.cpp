#include "core/ldap/ldap_directory.h"

#include <ldap.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stop_token>
#include <thread>

#include <sys/socket.h>

namespace toolhub::server {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr int maxGroups = 1000;
// How long past the deadline the watchdog waits for libldap to give up by itself.
constexpr auto watchdogGrace = std::chrono::milliseconds{250};

struct LdapDeleter {
    void operator()(LDAP *ld) const { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapHandle = std::unique_ptr<LDAP, LdapDeleter>;

struct MessageDeleter {
    void operator()(LDAPMessage *message) const { ldap_msgfree(message); }
};
using MessageHandle = std::unique_ptr<LDAPMessage, MessageDeleter>;

timeval toTimeval(std::chrono::microseconds duration)
{
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(duration);
    return {static_cast<time_t>(seconds.count()),
            static_cast<suseconds_t>((duration - seconds).count())};
}

// libldap's text for `rc` plus the server's or the TLS library's diagnostic message.
std::string describe(LDAP *ld, int rc)
{
    std::string text = ldap_err2string(rc);
    char *message = nullptr;
    if (ld != nullptr &&
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) == LDAP_OPT_SUCCESS &&
        message != nullptr) {
        if (*message != '\0') {
            text += ": ";
            text += message;
        }
        ldap_memfree(message);
    }
    return text;
}

DirectoryError failure(DirectoryFailure kind, std::string reason)
{
    return {kind, std::move(reason)};
}

DirectoryError unreachable(LDAP *ld, int rc, std::string_view step)
{
    return failure(DirectoryFailure::Unreachable, std::string{step} + ": " + describe(ld, rc));
}

std::string replaceAll(std::string text, std::string_view placeholder, std::string_view value)
{
    for (auto at = text.find(placeholder); at != std::string::npos;
         at = text.find(placeholder, at + value.size())) {
        text.replace(at, placeholder.size(), value);
    }
    return text;
}

std::vector<std::string> values(LDAP *ld, LDAPMessage *entry, const std::string &attribute)
{
    std::vector<std::string> out;
    if (attribute.empty()) {
        return out;
    }
    berval **found = ldap_get_values_len(ld, entry, attribute.c_str());
    if (found == nullptr) {
        return out;
    }
    for (berval **v = found; *v != nullptr; ++v) {
        out.emplace_back((*v)->bv_val, (*v)->bv_len);
    }
    ldap_value_free_len(found);
    return out;
}

std::string firstValue(LDAP *ld, LDAPMessage *entry, const std::string &attribute)
{
    auto all = values(ld, entry, attribute);
    return all.empty() ? std::string{} : std::move(all.front());
}

// One sign-in's connection, with the time left until its deadline.
class Session {
public:
    explicit Session(const LdapSettings &settings)
        : m_settings(settings), m_deadline(SteadyClock::now() + settings.timeout),
          // Each address of a failover list gets its share of the time to connect.
          m_perAddress(std::max<std::chrono::microseconds>(
              std::chrono::duration_cast<std::chrono::microseconds>(settings.timeout) /
                  static_cast<long>(std::max<std::size_t>(settings.urls.size(), 1)),
              std::chrono::milliseconds{500}))
    {}
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    Result<void, DirectoryError> open()
    {
        std::string urls;
        for (const auto &url : m_settings.urls) {
            urls += (urls.empty() ? "" : " ") + url;
        }
        LDAP *raw = nullptr;
        if (const int rc = ldap_initialize(&raw, urls.c_str()); rc != LDAP_SUCCESS) {
            return fail(failure(DirectoryFailure::Unreachable,
                                std::string{"ldap_initialize: "} + ldap_err2string(rc)));
        }
        m_ld.reset(raw);
        LDAP *ld = m_ld.get();
        const int version = LDAP_VERSION3;
        const int demand = LDAP_OPT_X_TLS_DEMAND;
        const int tlsMinimum = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
        const int client = 0;
        const timeval connectTimeout = toTimeval(m_perAddress);
        m_callback = {&Session::connected, &Session::closing, this};
        const bool configured =
            ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &connectTimeout) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_CONNECT_CB, &m_callback) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand) == LDAP_OPT_SUCCESS &&
            ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &tlsMinimum) == LDAP_OPT_SUCCESS &&
            (m_settings.caFile.empty() ||
             ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, m_settings.caFile.c_str()) ==
                 LDAP_OPT_SUCCESS) &&
            // A fresh TLS context for this handle, so the options above apply to it.
            ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &client) == LDAP_OPT_SUCCESS;
        if (!configured) {
            return fail(unreachable(ld, LDAP_LOCAL_ERROR, "setting connection options"));
        }
        m_watchdog = std::jthread([this](const std::stop_token &stop) { watch(stop); });
        if (auto timed = arm("connecting"); !timed) {
            return timed;
        }
        const auto started = SteadyClock::now();
        if (const int rc = ldap_connect(ld); rc != LDAP_SUCCESS) {
            // A TCP connection that then failed quickly is a TLS handshake that failed (ldaps);
            // one that ran out of time is a server that does not answer.
            bool tcpConnected = false;
            bool expired = false;
            {
                const std::lock_guard lock(m_mutex);
                tcpConnected = m_tcpConnected;
                expired = m_expired;
            }
            const bool handshakeFailed = tcpConnected && !expired && rc != LDAP_TIMEOUT &&
                                         SteadyClock::now() - started < m_perAddress;
            if (handshakeFailed) {
                return fail(failure(DirectoryFailure::Untrusted,
                                    "TLS handshake with " + urls + " failed (" + describe(ld, rc) +
                                        "): the certificate is not signed by a CA of "
                                        "ldap_ca_file, or does not name the host"));
            }
            auto error = unreachable(ld, rc, "connecting to " + urls);
            if (expired) {
                error.reason += " (no answer within ldap_timeout)";
            }
            return fail(std::move(error));
        }
        if (ldap_tls_inplace(ld) == 0 && m_settings.startTls) {
            if (auto timed = arm("StartTLS"); !timed) {
                return timed;
            }
            if (const int rc = ldap_start_tls_s(ld, nullptr, nullptr); rc != LDAP_SUCCESS) {
                const bool expired = [this] {
                    const std::lock_guard lock(m_mutex);
                    return m_expired;
                }();
                // The server agreed to StartTLS, then the handshake failed by itself.
                if (rc == LDAP_CONNECT_ERROR && !expired) {
                    return fail(failure(DirectoryFailure::Untrusted,
                                        "StartTLS handshake failed (" + describe(ld, rc) +
                                            "): the certificate is not signed by a CA of "
                                            "ldap_ca_file, or does not name the host"));
                }
                return fail(unreachable(ld, rc, "StartTLS"));
            }
        }
        return {};
    }

    // A simple bind; `dn` empty binds anonymously.
    Result<int, DirectoryError> bind(const std::string &dn, std::string_view password,
                                     std::string_view step)
    {
        if (auto timed = arm(step); !timed) {
            return fail(std::move(timed).error());
        }
        berval credentials{static_cast<ber_len_t>(password.size()),
                           const_cast<char *>(password.data())};
        const int rc = ldap_sasl_bind_s(m_ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &credentials,
                                        nullptr, nullptr, nullptr);
        return rc;
    }

    Result<MessageHandle, DirectoryError> search(const std::string &base, const std::string &filter,
                                                 std::vector<const char *> attributes,
                                                 int sizeLimit, std::string_view step)
    {
        if (auto timed = arm(step); !timed) {
            return fail(std::move(timed).error());
        }
        attributes.push_back(nullptr);
        timeval limit = remaining();
        LDAPMessage *result = nullptr;
        const int rc = ldap_search_ext_s(m_ld.get(), base.c_str(), LDAP_SCOPE_SUBTREE,
                                         filter.c_str(), const_cast<char **>(attributes.data()), 0,
                                         nullptr, nullptr, &limit, sizeLimit, &result);
        MessageHandle handle(result);
        if (rc != LDAP_SUCCESS && rc != LDAP_SIZELIMIT_EXCEEDED) {
            return fail(unreachable(m_ld.get(), rc, std::string{step} + " under " + base));
        }
        return handle;
    }

    [[nodiscard]] LDAP *ld() const { return m_ld.get(); }

private:
    timeval remaining() const
    {
        return toTimeval(
            std::chrono::duration_cast<std::chrono::microseconds>(m_deadline - SteadyClock::now()));
    }

    // Bounds the next synchronous call by the time left; fails once none is left.
    Result<void, DirectoryError> arm(std::string_view step)
    {
        if (SteadyClock::now() >= m_deadline) {
            return fail(failure(DirectoryFailure::Unreachable,
                                std::string{step} + ": no time left within ldap_timeout"));
        }
        const timeval left = remaining();
        if (ldap_set_option(m_ld.get(), LDAP_OPT_TIMEOUT, &left) != LDAP_OPT_SUCCESS) {
            return fail(failure(DirectoryFailure::Unreachable, "cannot set LDAP_OPT_TIMEOUT"));
        }
        return {};
    }

    // Called by libldap once a TCP connection is up, before any TLS handshake, and before it
    // closes one: the watchdog may shut down only a socket that is still open.
    static int connected(LDAP * /*ld*/, Sockbuf *sb, LDAPURLDesc * /*url*/, sockaddr * /*addr*/,
                         ldap_conncb *callback)
    {
        auto *self = static_cast<Session *>(callback->lc_arg);
        int fd = -1;
        ber_sockbuf_ctrl(sb, LBER_SB_OPT_GET_FD, &fd);
        const std::lock_guard lock(self->m_mutex);
        self->m_tcpConnected = true;
        self->m_fd = fd;
        return 0;
    }
    static void closing(LDAP * /*ld*/, Sockbuf * /*sb*/, ldap_conncb *callback)
    {
        auto *self = static_cast<Session *>(callback->lc_arg);
        const std::lock_guard lock(self->m_mutex);
        self->m_fd = -1;
    }

    // libldap bounds connecting and each operation itself, but not every step: its TLS
    // handshake on ldaps:// (GnuTLS builds) retries a silent peer for ever. Past the deadline
    // the watchdog shuts the socket down, which ends any step still waiting.
    void watch(const std::stop_token &stop)
    {
        std::unique_lock lock(m_mutex);
        m_stopped.wait_until(lock, stop, m_deadline + watchdogGrace, [] { return false; });
        if (!stop.stop_requested() && m_fd >= 0) {
            m_expired = true;
            shutdown(m_fd, SHUT_RDWR);
        }
    }

    const LdapSettings &m_settings;
    SteadyClock::time_point m_deadline;
    std::chrono::microseconds m_perAddress;
    ldap_conncb m_callback{};
    std::mutex m_mutex;
    std::condition_variable_any m_stopped;
    bool m_tcpConnected = false; // guarded by m_mutex
    bool m_expired = false;      // guarded by m_mutex
    int m_fd = -1;               // guarded by m_mutex
    LdapHandle m_ld;
    std::jthread m_watchdog; // first to stop: before m_ld closes its socket
};

} // namespace

Result<DirectoryUser, DirectoryError> LdapDirectory::authenticate(std::string_view login,
                                                                  std::string_view password) const
{
    if (password.empty()) {
        return fail(
            failure(DirectoryFailure::WrongPassword, "empty password refused before any bind"));
    }
    Session session(m_settings);
    if (auto opened = session.open(); !opened) {
        return fail(std::move(opened).error());
    }
    auto serviceBind = session.bind(m_settings.bindDn, m_settings.bindPassword, "service bind");
    if (!serviceBind) {
        return fail(std::move(serviceBind).error());
    }
    if (*serviceBind != LDAP_SUCCESS) {
        return fail(
            unreachable(session.ld(), *serviceBind, "bind as ldap_bind_dn " + m_settings.bindDn));
    }

    const std::string filter =
        replaceAll(m_settings.userFilter, "{login}", escapeFilterValue(login));
    std::vector<const char *> attributes{m_settings.idAttribute.c_str(),
                                         m_settings.nameAttribute.c_str(), "cn",
                                         m_settings.emailAttribute.c_str()};
    if (m_settings.groupBase.empty()) {
        attributes.push_back(m_settings.memberOfAttribute.c_str());
    }
    auto found = session.search(m_settings.userBase, filter, attributes, 2, "user search");
    if (!found) {
        return fail(std::move(found).error());
    }
    LDAP *ld = session.ld();
    const int count = ldap_count_entries(ld, found->get());
    if (count == 0) {
        return fail(failure(DirectoryFailure::UnknownUser, "no entry matches " + filter));
    }
    if (count > 1) {
        return fail(failure(DirectoryFailure::AmbiguousUser,
                            "several entries match " + filter + ": refine ldap_user_filter"));
    }
    LDAPMessage *entry = ldap_first_entry(ld, found->get());
    DirectoryUser user;
    if (char *dn = ldap_get_dn(ld, entry); dn != nullptr) {
        user.dn = dn;
        ldap_memfree(dn);
    }
    user.id = firstValue(ld, entry, m_settings.idAttribute);
    user.displayName = firstValue(ld, entry, m_settings.nameAttribute);
    if (user.displayName.empty()) {
        user.displayName = firstValue(ld, entry, "cn");
    }
    user.email = firstValue(ld, entry, m_settings.emailAttribute);
    std::vector<std::string> groups;
    if (m_settings.groupBase.empty()) {
        groups = values(ld, entry, m_settings.memberOfAttribute);
    }
    if (user.dn.empty()) {
        return fail(failure(DirectoryFailure::IncompleteEntry, "the entry has no DN"));
    }
    if (user.id.empty()) {
        return fail(failure(DirectoryFailure::IncompleteEntry,
                            user.dn + " has no " + m_settings.idAttribute));
    }

    auto userBind = session.bind(user.dn, password, "user bind");
    if (!userBind) {
        return fail(std::move(userBind).error());
    }
    if (*userBind == LDAP_INVALID_CREDENTIALS) {
        return fail(failure(DirectoryFailure::WrongPassword, "wrong password for " + user.dn));
    }
    if (*userBind != LDAP_SUCCESS) {
        const bool refused = *userBind > 0; // the server answered: e.g. a locked account
        auto error = unreachable(ld, *userBind, "bind as " + user.dn);
        if (refused) {
            error.kind = DirectoryFailure::WrongPassword;
        }
        return fail(std::move(error));
    }

    if (!m_settings.groupBase.empty()) {
        // Back to the service account: the user may not be allowed to read groups.
        auto rebind = session.bind(m_settings.bindDn, m_settings.bindPassword, "service rebind");
        if (!rebind) {
            return fail(std::move(rebind).error());
        }
        if (*rebind != LDAP_SUCCESS) {
            return fail(unreachable(ld, *rebind, "bind as ldap_bind_dn " + m_settings.bindDn));
        }
        std::string groupFilter =
            replaceAll(m_settings.groupFilter, "{dn}", escapeFilterValue(user.dn));
        groupFilter = replaceAll(std::move(groupFilter), "{login}", escapeFilterValue(login));
        auto memberships = session.search(m_settings.groupBase, groupFilter, {LDAP_NO_ATTRS},
                                          maxGroups, "group search");
        if (!memberships) {
            return fail(std::move(memberships).error());
        }
        for (LDAPMessage *group = ldap_first_entry(ld, memberships->get()); group != nullptr;
             group = ldap_next_entry(ld, group)) {
            if (char *dn = ldap_get_dn(ld, group); dn != nullptr) {
                groups.emplace_back(dn);
                ldap_memfree(dn);
            }
        }
    }
    for (const auto &group : groups) {
        if (auto normalized = normalizeDn(group)) {
            user.groups.push_back(std::move(normalized).value());
        }
    }
    return user;
}

} // namespace toolhub::server
