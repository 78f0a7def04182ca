#pragma once

#include "server_process.h"

#include <QJsonObject>
#include <QString>

// Signs a user in the way the desktop app does (RFC 8252): the browser signs in on the server's
// form, /oauth/authorize answers with a code for a loopback redirect URI, the code and the PKCE
// verifier become tokens. Returns the token response ({"access_token", "refresh_token", ...}), or
// an empty object with `error` set.
QJsonObject signInNative(ServerProcess &server, const QString &login, const QString &password,
                         QString *error = nullptr);
