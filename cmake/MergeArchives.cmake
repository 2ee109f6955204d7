# Merges two static archives into one (cmake -P script, run by the
# strata_archive target in CMakeLists.txt):
#   cmake -DAR=ar -DRANLIB=ranlib -DOUTPUT=libstrata.a -DCAPI=libstrata_static.a
#         -DCORE=libstrata_core.a -P MergeArchives.cmake
# GNU ar's MRI script mode copies the members of each input archive, so the
# result holds the C ABI's objects and the engine's, and a program links
# strata in with one -l:libstrata.a.
foreach(var AR OUTPUT CAPI CORE)
  if(NOT ${var})
    message(FATAL_ERROR "MergeArchives.cmake: ${var} is not set")
  endif()
endforeach()
file(REMOVE ${OUTPUT})
set(script ${OUTPUT}.mri)
file(WRITE ${script} "create ${OUTPUT}\naddlib ${CAPI}\naddlib ${CORE}\nsave\nend\n")
execute_process(COMMAND ${AR} -M INPUT_FILE ${script} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "MergeArchives.cmake: ${AR} -M failed (${rc})")
endif()
if(RANLIB)
  execute_process(COMMAND ${RANLIB} ${OUTPUT} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "MergeArchives.cmake: ${RANLIB} failed (${rc})")
  endif()
endif()
file(REMOVE ${script})
