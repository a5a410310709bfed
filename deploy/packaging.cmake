# `cmake --install` and the .deb (CPack): the binary, the systemd unit (its paths made to match
# the install prefix), the Slack app manifest, the example settings, the alert rules and the
# docs, where the unit and README expect them. Included from the top CMakeLists.txt.
# The docs under share/doc/itpm-bot (the package's name), not the CMake project's.
set(CMAKE_INSTALL_DOCDIR share/doc/itpm-bot)
include(GNUInstallDirs)

install(TARGETS itpm-bot RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bot)

# deploy/itpm-bot.service names /usr/local/bin and /usr/local/share/doc (a hand install, as
# README shows). The installed unit names where this install put them, worked out when it runs
# (`cmake --install --prefix`, or CPack's /usr); a /usr install puts it in /lib/systemd/system,
# any other under the prefix.
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  file(READ \"${PROJECT_SOURCE_DIR}/deploy/itpm-bot.service\" unit)
  string(REPLACE \"/usr/local/bin/itpm-bot\" \"\${prefix}/${CMAKE_INSTALL_BINDIR}/itpm-bot\"
    unit \"\${unit}\")
  string(REPLACE \"/usr/local/share/doc/itpm-bot\" \"\${prefix}/${CMAKE_INSTALL_DOCDIR}\"
    unit \"\${unit}\")
  file(WRITE \"${PROJECT_BINARY_DIR}/deploy/itpm-bot.service\" \"\${unit}\")
  if(prefix STREQUAL \"/usr\")
    set(units /lib/systemd/system)
  else()
    set(units \"\${prefix}/${CMAKE_INSTALL_LIBDIR}/systemd/system\")
  endif()
  # file(INSTALL) puts DESTDIR (CPack's staging folder) in front by itself.
  file(INSTALL \"${PROJECT_BINARY_DIR}/deploy/itpm-bot.service\" DESTINATION \"\${units}\")
" COMPONENT bot)
install(FILES README.md CHANGELOG.md LICENSE deploy/manifest.yaml deploy/itpm-bot.env.example
  deploy/prometheus/alerts.yml DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT bot)

set(CPACK_PACKAGE_NAME itpm-bot)
set(CPACK_PACKAGE_VENDOR "itpm-bot")
set(CPACK_PACKAGE_CONTACT "itpm-bot maintainers <itpm-bot@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Slack chat-ops bot for infrastructure program cadence (Socket Mode)")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Install with DESTDIR into the staging folder, so the prefix the install sees is /usr.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_COMPONENTS_ALL bot)
set(CPACK_DEB_COMPONENT_INSTALL OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://api.slack.com/apis/socket-mode")
# Depends: what dpkg-shlibdeps finds the binary links (librocksdb7.8, libssl3, ...), plus the
# zone data and certificates it reads.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "tzdata, ca-certificates, adduser, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
