# check-headers: compiles every public header under include/otp/ alone, in a translation unit of
# its own, to prove that each one is self-contained (includes what it uses). Not part of `all`:
# run `cmake --build <dir> --target check-headers` (scripts/test.sh does, in the plain build).
file(GLOB_RECURSE _otp_public_headers CONFIGURE_DEPENDS
  RELATIVE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/include/otp/*.hpp)
set(_otp_check_sources "")
foreach(_h IN LISTS _otp_public_headers)
  string(REGEX REPLACE "[/.]" "_" _stem "${_h}")
  set(_src ${CMAKE_CURRENT_BINARY_DIR}/check_headers/${_stem}.cpp)
  # file(CONFIGURE) rewrites only when the content changes, so re-configuring rebuilds nothing.
  file(CONFIGURE OUTPUT ${_src} CONTENT "#include <${_h}>\n#include <${_h}>  // twice: #pragma once\n")
  list(APPEND _otp_check_sources ${_src})
endforeach()
if(_otp_check_sources)
  list(LENGTH _otp_check_sources _n)
  add_library(otp_check_headers OBJECT EXCLUDE_FROM_ALL ${_otp_check_sources})
  target_link_libraries(otp_check_headers PRIVATE otp::otp otp_build_flags)
  add_custom_target(check-headers
    COMMAND ${CMAKE_COMMAND} -E echo "check-headers: ${_n} public headers compile alone"
    VERBATIM)
  add_dependencies(check-headers otp_check_headers)
else()
  add_custom_target(check-headers COMMAND ${CMAKE_COMMAND} -E echo "check-headers: no public headers yet")
endif()
