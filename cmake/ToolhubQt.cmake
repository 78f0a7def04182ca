# toolhub_qt_conventions(<target> [CORE]): the project's Qt habits. Keywords-free signals and
# slots, no implicit QUrl-from-string, nothing deprecated up to the oldest supported Qt; CORE
# adds QT_NO_CAST_FROM_ASCII for library code that must say how bytes become text.
function(toolhub_qt_conventions target)
  cmake_parse_arguments(Q "CORE" "" "" ${ARGN})
  target_compile_definitions(${target} PRIVATE
    QT_NO_SIGNALS_SLOTS_KEYWORDS
    QT_NO_URL_CAST_FROM_STRING
    QT_DISABLE_DEPRECATED_UP_TO=0x060400)
  if(Q_CORE)
    target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII)
  endif()
endfunction()
