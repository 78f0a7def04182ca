#pragma once

// Opens the main window and runs the event loop until the app quits; returns the exit code.
// Needs a QApplication.
[[nodiscard]] int runWindow();
