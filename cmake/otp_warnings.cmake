# Warning and sanitizer flags shared by every target of the project.
# Warnings (and -Werror) apply only inside this build ($<BUILD_INTERFACE:...>): a project that
# consumes an installed OTP++ through find_package(otp) does not inherit them. Sanitizer flags do
# propagate, since code linked against a sanitized OTP++ must be built with the same sanitizer.
add_library(otp_build_flags INTERFACE)
target_compile_options(otp_build_flags INTERFACE
  $<BUILD_INTERFACE:-Wall -Wextra -Wpedantic -Wno-missing-field-initializers>)
if(OTP_WERROR)
  target_compile_options(otp_build_flags INTERFACE $<BUILD_INTERFACE:-Werror>)
endif()
if(OTP_SANITIZE)
  string(REPLACE ";" "," _otp_san "${OTP_SANITIZE}")
  target_compile_options(otp_build_flags INTERFACE -fsanitize=${_otp_san} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(otp_build_flags INTERFACE -fsanitize=${_otp_san})
  # GCC 12's flow-sensitive warnings have known false positives on sanitizer-instrumented code
  # (the GCC manual says so for -Wmaybe-uninitialized); they stay visible but are not fatal
  # here: the release build (-O2, -Werror) is the one that must be warnings-clean. -Wtsan
  # ("atomic_thread_fence is not supported with -fsanitize=thread") is reported but not fatal.
  target_compile_options(otp_build_flags INTERFACE $<BUILD_INTERFACE:
    -Wno-error=maybe-uninitialized -Wno-error=stringop-overflow -Wno-error=stringop-overread
    -Wno-error=array-bounds -Wno-error=null-dereference $<$<STREQUAL:${OTP_SANITIZE},thread>:-Wno-error=tsan>>)
  if("${OTP_SANITIZE}" MATCHES "address")
    # Fiber switches confuse ASan's stack bookkeeping unless the switch is announced;
    # src/runtime/fiber.cpp does so when this macro is set.
    target_compile_definitions(otp_build_flags INTERFACE OTP_ASAN_FIBERS=1)
  endif()
  if("${OTP_SANITIZE}" MATCHES "thread")
    # Fibers are announced to TSan (__tsan_create_fiber/__tsan_switch_to_fiber) when this is set.
    target_compile_definitions(otp_build_flags INTERFACE OTP_TSAN_FIBERS=1)
  endif()
endif()
install(TARGETS otp_build_flags EXPORT otpTargets)
