# Run by `cmake --install` on Windows: writes share/toolhub/toolhub-url.reg from
# toolhub-url.reg.in with the installed bin folder. Expects TOOLHUB_REG_TEMPLATE and
# TOOLHUB_BIN_DIR (relative to the prefix or absolute).

if(IS_ABSOLUTE "${TOOLHUB_BIN_DIR}")
  set(_toolhub_bin "${TOOLHUB_BIN_DIR}")
else()
  set(_toolhub_bin "${CMAKE_INSTALL_PREFIX}/${TOOLHUB_BIN_DIR}")
endif()
string(REPLACE "/" "\\" _toolhub_bin "${_toolhub_bin}")
# .reg strings escape backslashes and quotes.
string(REPLACE "\\" "\\\\" TOOLHUB_REG_BIN_DIR "${_toolhub_bin}")
string(REPLACE "\"" "\\\"" TOOLHUB_REG_BIN_DIR "${TOOLHUB_REG_BIN_DIR}")
set(_toolhub_reg "$ENV{DESTDIR}${CMAKE_INSTALL_PREFIX}/share/toolhub/toolhub-url.reg")
configure_file("${TOOLHUB_REG_TEMPLATE}" "${_toolhub_reg}" @ONLY NEWLINE_STYLE CRLF)
message(STATUS "toolhub:// handler: wrote ${_toolhub_reg} (import it with: reg import)")
