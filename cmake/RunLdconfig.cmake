# Refreshes the loader's cache after libstrata.so is installed (install(SCRIPT)
# from CMakeLists.txt, which sets STRATA_LIBDIR). Only for a real install
# into a directory the loader searches, /usr or /usr/local, not for a
# DESTDIR staging (a package's own trigger runs ldconfig when it is
# installed). Without root, ldconfig cannot write its cache; the install
# goes on with a note, since the .pc's rpath covers /usr/local anyway.
if(NOT "$ENV{DESTDIR}" STREQUAL "")
  return()
endif()
if(NOT CMAKE_INSTALL_PREFIX MATCHES "^/usr(/local)?/?$")
  return()
endif()
find_program(STRATA_LDCONFIG ldconfig PATHS /sbin /usr/sbin)
if(NOT STRATA_LDCONFIG)
  return()
endif()
execute_process(COMMAND ${STRATA_LDCONFIG} RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(STATUS "Refreshed the loader cache (ldconfig)")
else()
  message(STATUS "Could not refresh the loader cache (ldconfig: ${rc}); run ldconfig as root")
endif()
