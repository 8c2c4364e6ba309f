# otp_add_component(NAME <name> DEPS <targets...> [PRIVATE_DEPS <targets...>])
# One call per layer: builds src/<name>/*.cpp into the library otp_<name>, aliased otp::<name>,
# with include/ public and src/ private, and exports it for find_package(otp).
# A layer that has no .cpp file yet becomes an INTERFACE library (headers + deps only), so the
# tree configures and builds at every stage of development; it turns into a real library as soon
# as its first source file appears (the glob re-runs on every build).
function(otp_add_component)
  cmake_parse_arguments(C "" "NAME" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${C_NAME}/*.cpp)
  set(_t otp_${C_NAME})
  if(_sources)
    add_library(${_t} ${_sources})
    set_target_properties(${_t} PROPERTIES POSITION_INDEPENDENT_CODE ON)
    target_include_directories(${_t}
      PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
      PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${_t} PUBLIC ${C_DEPS} otp_build_flags PRIVATE ${C_PRIVATE_DEPS})
    target_compile_features(${_t} PUBLIC cxx_std_20)
  else()
    message(STATUS "otp: component '${C_NAME}' has no sources yet: header-only INTERFACE target")
    add_library(${_t} INTERFACE)
    target_include_directories(${_t}
      INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
    target_link_libraries(${_t} INTERFACE ${C_DEPS} otp_build_flags)
    target_compile_features(${_t} INTERFACE cxx_std_20)
  endif()
  add_library(otp::${C_NAME} ALIAS ${_t})
  set_target_properties(${_t} PROPERTIES EXPORT_NAME ${C_NAME})
  install(TARGETS ${_t} EXPORT otpTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# otp_add_test_dir(<dir> LABEL <label> DEPS <targets...>): one gtest binary per layer directory
# (tests/<dir>/*_test.cpp, named <dir>_tests), each test case registered with CTest through
# gtest_discover_tests as "<dir>.<Suite>.<Test>" (one layer: ctest --preset dev -R '^term\.').
# Discovery runs when ctest starts (PRE_TEST), not at build time, so that a sanitizer binary is
# only ever executed under the environment the test run sets up.
function(otp_add_test_dir DIR)
  cmake_parse_arguments(T "" "LABEL" "DEPS" ${ARGN})
  file(GLOB _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${DIR}/*_test.cpp)
  if(NOT _sources)
    return()
  endif()
  set(_name ${DIR}_tests)
  add_executable(${_name} ${_sources})
  target_include_directories(${_name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${_name} PRIVATE ${T_DEPS} GTest::gmock GTest::gtest GTest::gtest_main otp_build_flags)
  gtest_discover_tests(${_name}
    TEST_PREFIX "${DIR}."
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 120
    PROPERTIES LABELS "${T_LABEL}" TIMEOUT 300)
endfunction()
