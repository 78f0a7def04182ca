# Run by `cmake --install` on Linux after toolhub-open.desktop is in place: makes toolhub-open
# the handler of x-scheme-handler/toolhub. Expects TOOLHUB_APPLICATIONS_DIR (the installed
# applications folder, relative to the prefix or absolute).
#
# Only for a prefix the desktop looks in (/usr, /usr/local, ~/.local); never under DESTDIR,
# where a package is being staged and its own scripts register the handler on the target.

if(NOT "$ENV{DESTDIR}" STREQUAL "")
  message(STATUS "toolhub:// handler: DESTDIR is set; registration is left to the package")
else()
  if(IS_ABSOLUTE "${TOOLHUB_APPLICATIONS_DIR}")
    set(_toolhub_apps "${TOOLHUB_APPLICATIONS_DIR}")
  else()
    set(_toolhub_apps "${CMAKE_INSTALL_PREFIX}/${TOOLHUB_APPLICATIONS_DIR}")
  endif()
  string(REGEX REPLACE "/+$" "" _toolhub_prefix "${CMAKE_INSTALL_PREFIX}")
  set(_toolhub_known_prefix FALSE)
  if(_toolhub_prefix STREQUAL "/usr" OR _toolhub_prefix STREQUAL "/usr/local")
    set(_toolhub_known_prefix TRUE)
  elseif(NOT "$ENV{HOME}" STREQUAL "" AND _toolhub_prefix STREQUAL "$ENV{HOME}/.local")
    set(_toolhub_known_prefix TRUE)
  endif()

  if(NOT _toolhub_known_prefix)
    message(STATUS "toolhub:// handler: ${CMAKE_INSTALL_PREFIX} is not a prefix the desktop "
                   "searches; not registered (register with: xdg-mime default "
                   "toolhub-open.desktop x-scheme-handler/toolhub)")
  else()
    find_program(_toolhub_update_db update-desktop-database)
    if(_toolhub_update_db)
      execute_process(COMMAND "${_toolhub_update_db}" "${_toolhub_apps}"
                      RESULT_VARIABLE _toolhub_rc)
      message(STATUS "toolhub:// handler: update-desktop-database ${_toolhub_apps} "
                     "(exit ${_toolhub_rc})")
    else()
      message(STATUS "toolhub:// handler: update-desktop-database not found; skipped")
    endif()
    # xdg-mime default sets the choice of the user running the install (~/.config/mimeapps.list).
    find_program(_toolhub_xdg_mime xdg-mime)
    if(_toolhub_xdg_mime)
      execute_process(COMMAND "${_toolhub_xdg_mime}" default toolhub-open.desktop
                              x-scheme-handler/toolhub
                      RESULT_VARIABLE _toolhub_rc)
      message(STATUS "toolhub:// handler: xdg-mime default toolhub-open.desktop "
                     "x-scheme-handler/toolhub (exit ${_toolhub_rc})")
    else()
      message(STATUS "toolhub:// handler: xdg-mime not found; skipped")
    endif()
  endif()
endif()
