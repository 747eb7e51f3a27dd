# The Debian package (cpack -G DEB in a build directory): the client, twinsealctl and
# twinseal-homenet with their desktop entry, icons, AppStream metainfo, man pages and the
# sandboxed systemd unit. packaging/test-package.sh builds it, installs it and starts the service.
set(TWINSEAL_APP_ID net.twinseal.TwinSeal)
set(_pkg ${PROJECT_SOURCE_DIR}/packaging)
set(_gen ${PROJECT_BINARY_DIR}/packaging)

# Desktop integration: the .desktop id, the icon name and the AppStream id are one.
install(FILES ${_pkg}/desktop/${TWINSEAL_APP_ID}.desktop DESTINATION ${CMAKE_INSTALL_DATADIR}/applications)
configure_file(${_pkg}/desktop/${TWINSEAL_APP_ID}.metainfo.xml ${_gen}/${TWINSEAL_APP_ID}.metainfo.xml @ONLY)
install(FILES ${_gen}/${TWINSEAL_APP_ID}.metainfo.xml DESTINATION ${CMAKE_INSTALL_DATADIR}/metainfo)
foreach(size 16 24 32 48 64 128 256 512)
  install(FILES ${PROJECT_SOURCE_DIR}/resources/app-icon/twinseal-${size}.png
          DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/${size}x${size}/apps
          RENAME ${TWINSEAL_APP_ID}.png)
endforeach()
install(FILES ${PROJECT_SOURCE_DIR}/resources/app-icon/twinseal.svg
        DESTINATION ${CMAKE_INSTALL_DATADIR}/icons/hicolor/scalable/apps RENAME ${TWINSEAL_APP_ID}.svg)

# Man pages, with the version filled in and compressed as Debian's policy asks (gzip -9n).
set(_manpages twinseal.1 twinsealctl.1 twinseal-homenet.8)
set(_manfiles)
foreach(page ${_manpages})
  configure_file(${_pkg}/man/${page} ${_gen}/man/${page} @ONLY)
  add_custom_command(OUTPUT ${_gen}/man/${page}.gz
    COMMAND gzip -9n -c ${_gen}/man/${page} > ${_gen}/man/${page}.gz
    DEPENDS ${_gen}/man/${page} VERBATIM)
  string(REGEX MATCH "[0-9]$" section ${page})
  install(FILES ${_gen}/man/${page}.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
  list(APPEND _manfiles ${_gen}/man/${page}.gz)
endforeach()
add_custom_target(twinseal_manpages ALL DEPENDS ${_manfiles})

# The service: its unit (dedicated user, sandboxed), its configuration (a conffile) and an example.
install(FILES ${_pkg}/systemd/twinseal-homenet.service DESTINATION lib/systemd/system)
install(FILES ${_pkg}/systemd/homenet.ini.example DESTINATION /etc/twinseal RENAME homenet.ini)
install(FILES ${_pkg}/systemd/homenet.ini.example DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/twinseal/examples)
install(FILES ${_pkg}/debian/copyright DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/twinseal)
file(WRITE ${_gen}/conffiles "/etc/twinseal/homenet.ini\n")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME twinseal)
set(CPACK_PACKAGE_VENDOR TwinSeal)
set(CPACK_PACKAGE_CONTACT "TwinSeal packaging <packaging@twinseal.net>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "authenticated avatars for calls in the metaverse")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "authenticated avatars for calls in the metaverse
 TwinSeal registers a digital twin bound to a telecom subscription; the home network
 certifies it; the client signs its avatar before every call and verifies every peer's
 avatar before it is shown.
 .
 This package holds the desktop and headset client (twinseal), the command-line tool
 (twinsealctl) and the home network's service (twinseal-homenet) with its systemd unit.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://twinseal.net/)
set(CPACK_STRIP_FILES ON)
# Shared libraries from dpkg-shlibdeps; what is loaded at run time (QML modules, Qt plugins) by name.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, qt6-qpa-plugins, libqt6svg6, libqt6sql6-sqlite, \
qml6-module-qtqml, qml6-module-qtqml-workerscript, qml6-module-qtqml-models, \
qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-templates, \
qml6-module-qtquick-layouts, qml6-module-qtquick-window, qml6-module-qtquick-dialogs, \
qml6-module-quick3d, qml6-module-quick3d-helpers, qml6-module-qtcore, \
qml6-module-qt-labs-platform, qml6-module-qt-labs-folderlistmodel")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libqt6sql6-psql")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${_pkg}/debian/postinst ${_pkg}/debian/prerm ${_pkg}/debian/postrm ${_gen}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_OUTPUT_FILE_PREFIX ${PROJECT_BINARY_DIR}/package)
include(CPack)
