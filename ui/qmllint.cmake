# ui.qmllint: runs Qt's qmllint over every QML file of TwinSeal.UI and fails on any warning.
#
#   cmake -DQMLLINT=… -DBUILD_DIR=… -DRCC_DIR=… -DQT_QML_DIR=… -DFILES="a.qml;b.qml" -P qmllint.cmake
#
# Import paths: Qt's QML folder and the root of every QML module built in BUILD_DIR, found from
# the qmldir files there at test time, so a module added later (e.g. typed view-models imported by
# the views) is resolved wherever its CMakeLists puts it. The module's .qrc files map the
# resource aliases back to the source files. ui/qml/.qmllint.ini raises the unused-import and
# multiline-string checks to warnings.
foreach(var QMLLINT BUILD_DIR RCC_DIR QT_QML_DIR FILES)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "qmllint.cmake: ${var} is not set")
  endif()
endforeach()

set(import_roots)
file(GLOB_RECURSE qmldirs LIST_DIRECTORIES false "${BUILD_DIR}/*/qmldir")
foreach(qmldir IN LISTS qmldirs)
  if(qmldir MATCHES "/\\.rcc/|/CMakeFiles/")
    continue()
  endif()
  file(STRINGS "${qmldir}" module_line REGEX "^module " LIMIT_COUNT 1)
  if(NOT module_line)
    continue()
  endif()
  string(REGEX REPLACE "^module +([^ ]+).*" "\\1" uri "${module_line}")
  string(REPLACE "." "/" uri_path "${uri}")
  get_filename_component(module_dir "${qmldir}" DIRECTORY)
  string(LENGTH "${module_dir}" dir_len)
  string(LENGTH "/${uri_path}" uri_len)
  math(EXPR root_len "${dir_len} - ${uri_len}")
  if(root_len LESS 1)
    continue()
  endif()
  string(SUBSTRING "${module_dir}" ${root_len} -1 tail)
  if(NOT tail STREQUAL "/${uri_path}")
    continue() # not laid out as an import path (URI folders)
  endif()
  string(SUBSTRING "${module_dir}" 0 ${root_len} root)
  list(APPEND import_roots "${root}")
endforeach()
list(REMOVE_DUPLICATES import_roots)
set(import_args)
foreach(root IN LISTS import_roots)
  list(APPEND import_args -I "${root}")
endforeach()

set(resource_args)
file(GLOB qrcs "${RCC_DIR}/*.qrc")
foreach(qrc IN LISTS qrcs)
  list(APPEND resource_args --resource "${qrc}")
endforeach()

execute_process(
  COMMAND "${QMLLINT}" --bare ${import_args} -I "${QT_QML_DIR}" ${resource_args} ${FILES}
  RESULT_VARIABLE rc
  OUTPUT_VARIABLE out
  ERROR_VARIABLE out)
if(out)
  message("${out}")
endif()
list(LENGTH FILES count)
if(NOT rc EQUAL 0 OR out MATCHES "Warning: ")
  message(FATAL_ERROR "qmllint found problems in the QML files of TwinSeal.UI (exit code ${rc})")
endif()
message("qmllint: ${count} QML files, no warnings")
