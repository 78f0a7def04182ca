# Use ccache for every compile when it is installed.
find_program(TOOLHUB_CCACHE ccache)
if(TOOLHUB_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER "${TOOLHUB_CCACHE}")
  message(STATUS "ccache: ${TOOLHUB_CCACHE}")
endif()
