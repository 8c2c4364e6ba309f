# otp_add_component(NAME <name> DEPS <targets...> [PRIVATE_DEPS <targets...>])
# One call per layer: builds src/<name>/*.cpp into the library otp_<name>, aliased otp::<name>,
# with include/ public and src/ private, and exports it for find_package(otp).
function(otp_add_component)
  cmake_parse_arguments(C "" "NAME" "DEPS;PRIVATE_DEPS" ${ARGN})
  file(GLOB_RECURSE _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${C_NAME}/*.cpp)
  add_library(otp_${C_NAME} ${_sources})
  add_library(otp::${C_NAME} ALIAS otp_${C_NAME})
  set_target_properties(otp_${C_NAME} PROPERTIES EXPORT_NAME ${C_NAME} POSITION_INDEPENDENT_CODE ON)
  target_include_directories(otp_${C_NAME}
    PUBLIC $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include> $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(otp_${C_NAME} PUBLIC ${C_DEPS} otp_build_flags PRIVATE ${C_PRIVATE_DEPS})
  target_compile_features(otp_${C_NAME} PUBLIC cxx_std_20)
  install(TARGETS otp_${C_NAME} EXPORT otpTargets
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endfunction()

# otp_add_test(<dir>) : one gtest binary per layer directory (tests/<dir>/*_test.cpp),
# each file registered with CTest through gtest_discover_tests.
function(otp_add_test_dir DIR)
  cmake_parse_arguments(T "" "LABEL" "DEPS" ${ARGN})
  file(GLOB _sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${DIR}/*_test.cpp)
  if(NOT _sources)
    return()
  endif()
  set(_name ${DIR}_tests)
  add_executable(${_name} ${_sources})
  target_include_directories(${_name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${_name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main otp_build_flags)
  gtest_discover_tests(${_name} DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "${T_LABEL}" TIMEOUT 600)
endfunction()
