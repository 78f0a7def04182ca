#pragma once

#include <QString>

// Whether `fileName` is a kind of document the desktop opens for reading, by its extension (PDF,
// text, office documents, pictures, video). A downloaded file of any other kind (a script, a
// .desktop launcher, an installer: something that could run) is shown in its folder, never
// handed to the program the desktop would pick for it.
[[nodiscard]] bool isReadableDocument(const QString &fileName);
