# AddressSanitizer + UndefinedBehaviorSanitizer for the whole build (the asan preset).
# UBSan's vptr check needs the RTTI of every polymorphic class it meets; Debian's SOCI backends
# do not export theirs, so that one check is left out.
if(TOOLHUB_SANITIZERS)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined -fno-sanitize=vptr)
endif()
