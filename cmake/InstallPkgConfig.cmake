# Writes strata.pc and strata-static.pc at install time (install(SCRIPT) from
# CMakeLists.txt, which sets STRATA_SOURCE_DIR, STRATA_VERSION, STRATA_LIBDIR
# and STRATA_INCLUDEDIR first). Written here rather than at configure time
# because only now is the prefix known for certain: `cmake --install
# --prefix DIR` changes it, and a package is staged under $DESTDIR.
#
# A library outside /usr is also given an rpath in the .pc (-Wl,-rpath),
# so a program linked through pkg-config (a Go program through cgo, say)
# finds libstrata.so at run time without LD_LIBRARY_PATH even where the
# loader's cache was not refreshed; in /usr the loader looks by itself.
set(STRATA_PREFIX "${CMAKE_INSTALL_PREFIX}")
foreach(dir LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${STRATA_${dir}}")
    set(STRATA_PC_${dir} "${STRATA_${dir}}")
  else()
    set(STRATA_PC_${dir} "\${prefix}/${STRATA_${dir}}")
  endif()
endforeach()
if(STRATA_PREFIX STREQUAL "/usr")
  set(STRATA_PC_RPATH "")
else()
  set(STRATA_PC_RPATH "-Wl,-rpath,\${libdir} ")
endif()
if(IS_ABSOLUTE "${STRATA_LIBDIR}")
  set(pcdir "$ENV{DESTDIR}${STRATA_LIBDIR}/pkgconfig")
else()
  set(pcdir "$ENV{DESTDIR}${STRATA_PREFIX}/${STRATA_LIBDIR}/pkgconfig")
endif()
foreach(name strata strata-static)
  configure_file("${STRATA_SOURCE_DIR}/cmake/${name}.pc.in" "${pcdir}/${name}.pc" @ONLY)
  message(STATUS "Installing: ${pcdir}/${name}.pc")
  # Listed in install_manifest.txt with the files install() copied, so an
  # uninstall from the manifest removes these too.
  list(APPEND CMAKE_INSTALL_MANIFEST_FILES "${pcdir}/${name}.pc")
endforeach()
