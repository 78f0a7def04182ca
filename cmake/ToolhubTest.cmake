# toolhub_add_test(NAME <name> SOURCES <files...> [LIBS <targets...>] [LABELS <labels...>]
#                  [TIMEOUT <seconds>] [RUN_SERIAL] [ENVIRONMENT <VAR=value...>]
#                  [WRAPPER <command...>])
#
# Builds one Qt Test executable and registers it with CTest. Every test runs on the offscreen
# platform with QStandardPaths' test mode, so nothing touches the real home folder. WRAPPER runs
# the executable through a command that prepares its surroundings and takes the executable and
# its arguments last (tests/support/with-keyring.sh).
function(toolhub_add_test)
  cmake_parse_arguments(T "RUN_SERIAL" "NAME;TIMEOUT" "SOURCES;LIBS;LABELS;ENVIRONMENT;WRAPPER"
                        ${ARGN})
  if(NOT T_NAME OR NOT T_SOURCES)
    message(FATAL_ERROR "toolhub_add_test needs NAME and SOURCES")
  endif()
  add_executable(${T_NAME})
  target_sources(${T_NAME} PRIVATE ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE Qt6::Test ${T_LIBS})
  set_target_properties(${T_NAME} PROPERTIES AUTOMOC ON)
  toolhub_set_warnings(${T_NAME})
  toolhub_qt_conventions(${T_NAME})
  if(T_WRAPPER)
    add_test(NAME ${T_NAME} COMMAND ${T_WRAPPER} $<TARGET_FILE:${T_NAME}>)
  else()
    add_test(NAME ${T_NAME} COMMAND ${T_NAME})
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 120)
  endif()
  set_tests_properties(${T_NAME} PROPERTIES
    TIMEOUT ${T_TIMEOUT}
    LABELS "${T_LABELS}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;${T_ENVIRONMENT}")
  if(T_RUN_SERIAL)
    set_tests_properties(${T_NAME} PROPERTIES RUN_SERIAL ON)
  endif()
endfunction()
