# CPack settings for strata's Debian packages, one per install component
# (see the install rules in CMakeLists.txt):
#   libstrata0     runtime       the shared library (libstrata.so.0)
#   libstrata-dev  development   kv.h, libstrata.so, libstrata.a, strata.pc,
#                                strata-static.pc, the CMake package
#   strata-tools   tools         the strata command-line tool
# Made by scripts/make-debs.sh, which configures a build with
# CMAKE_INSTALL_PREFIX=/usr (so GNUInstallDirs picks Debian's multiarch
# library directory) and runs cpack there.
set(CPACK_PACKAGE_NAME strata)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "embeddable ordered key-value store (LSM tree)")
set(CPACK_PACKAGE_HOMEPAGE_URL "https://github.com/strata-kv/strata")
set(STRATA_PACKAGE_MAINTAINER "strata developers <strata@strata-kv.invalid>" CACHE STRING
    "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_CONTACT "${STRATA_PACKAGE_MAINTAINER}")
set(CPACK_GENERATOR DEB)
set(CPACK_STRIP_FILES ON)
# Install with DESTDIR into the staging directory, so that the install-time
# scripts (cmake/InstallPkgConfig.cmake) see the real prefix, /usr, and
# write it into the .pc files.
set(CPACK_SET_DESTDIR ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING IGNORE)
set(CPACK_COMPONENTS_ALL runtime development)
if(STRATA_BUILD_TOOLS)
  list(APPEND CPACK_COMPONENTS_ALL tools)
endif()
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# dpkg-shlibdeps works out what the library and the tool link against
# (libc6, liblz4-1, libzstd1, libxxhash0, and libstdc++6 for the tool; the
# library carries its own copy of libstdc++, linked statically).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Component dependencies become package dependencies with the exact version:
# libstrata-dev and strata-tools need the libstrata0 of the same build.
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)

set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "embeddable ordered key-value store (LSM tree): shared library
strata stores byte-string keys and values in a log-structured merge tree,
in-process, durable across crashes. This package holds libstrata.so.0, the
stable C ABI (kv.h) that programs and the Python, Go and Rust bindings use.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libstrata0)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# A shlibs file, so that packages built against libstrata0 depend on it
# (CMake 3.25 reads only the package-wide variable; it applies to the
# package holding a shared library, libstrata0). CPack also adds the
# postinst/postrm that run ldconfig there.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_COMPONENT_DEVELOPMENT_DESCRIPTION
  "embeddable ordered key-value store (LSM tree): development files
The header strata/kv.h, libstrata.so for linking, the static archive
libstrata.a, the pkg-config modules strata and strata-static, and the CMake
package (find_package(strata), target strata::strata).")
set(CPACK_COMPONENT_DEVELOPMENT_DEPENDS runtime)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_NAME libstrata-dev)
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SECTION libdevel)
# Linking statically (strata-static.pc) needs the compression libraries'
# development files; linking the shared library does not.
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_RECOMMENDS "pkgconf | pkg-config")
set(CPACK_DEBIAN_DEVELOPMENT_PACKAGE_SUGGESTS "liblz4-dev, libzstd-dev, libxxhash-dev")

set(CPACK_COMPONENT_TOOLS_DESCRIPTION
  "embeddable ordered key-value store (LSM tree): command-line tool
The strata command: get, put, delete, scan, dump and load a database; check,
repair, compact and checkpoint it; inspect single table and log files; and a
built-in benchmark.")
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME strata-tools)
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION database)

include(CPack)
