# The Debian package `renkei` (docs/packaging.md): install() rules for the installed layout and
# CPack's DEB settings. Included at the end of the top-level CMakeLists.txt, after every target.
#
#   cmake --build build --target renkei_package_files   (what the package holds, nothing else)
#   (cd build && cpack -G DEB)                           -> build/renkei_<version>_amd64.deb
#
# Layout (Debian's: the FHS, units in /lib/systemd/system as bookworm's packages ship them):
#   /usr/sbin/renkei-*                 the services and the gateway (started by their units)
#   /usr/bin/renkeictl                 the command line
#   /usr/lib/renkei/librenkei_proto.so the project's one shared library (private: no soname
#                                      promise), found through the binaries' RUNPATH
#                                      $ORIGIN/../lib/renkei, so an unpacked tree runs anywhere
#   /usr/share/renkei/console/         the console's built files (gateway.static_dir)
#   /usr/share/doc/renkei/             the docs, example instance files and nats-server configs
#   /lib/systemd/system/               renkei@.target, renkei-nats@.service, renkei-<svc>@.service
#   /etc/renkei/example/               an example instance (conffiles): copy it to /etc/renkei/<id>/
#   /etc/renkei/keys/, /var/lib/renkei made by postinst for the user `renkei`
#
# Every destination is relative to the packaging prefix "/", so `cmake --install build --prefix
# <dir>` lays out the same tree under <dir>.

set(renkei_service_programs renkei-directory renkei-intake renkei-issues renkei-training
                            renkei-indicators renkei-network renkei-gateway)
set(renkei_package_targets ${renkei_service_programs} renkeictl renkei_proto)

# The installed binaries find the private library relative to themselves (usr/sbin, usr/bin ->
# usr/lib/renkei). Build-tree binaries keep their build RUNPATH; install rewrites it in place.
set_target_properties(${renkei_service_programs} renkeictl PROPERTIES
  INSTALL_RPATH "\$ORIGIN/../lib/renkei")

# cpack (and `make install`) would otherwise build the whole tree first — tests and benchmarks
# included — through the `preinstall` target. They install what is built; the target
# renkei_package_files builds exactly what the package holds.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)
add_custom_target(renkei_package_files DEPENDS ${renkei_package_targets})

install(TARGETS ${renkei_service_programs} RUNTIME DESTINATION usr/sbin)
install(TARGETS renkeictl RUNTIME DESTINATION usr/bin)
install(TARGETS renkei_proto LIBRARY DESTINATION usr/lib/renkei NAMELINK_SKIP)

# The console (tools/console-build.sh builds console/dist; tools/build.sh runs it).
install(CODE "
  if(NOT EXISTS \"${PROJECT_SOURCE_DIR}/console/dist/index.html\")
    message(FATAL_ERROR \"console/dist is not built: run tools/console-build.sh\")
  endif()")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/console/dist/ DESTINATION usr/share/renkei/console)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/systemd/ DESTINATION lib/systemd/system
  FILES_MATCHING PATTERN "renkei*")

install(FILES ${PROJECT_SOURCE_DIR}/deploy/package/instance.json
              ${PROJECT_SOURCE_DIR}/deploy/package/nats.conf
  DESTINATION etc/renkei/example)

install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION usr/share/doc/renkei)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION usr/share/doc/renkei)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/nats/
  DESTINATION usr/share/doc/renkei/examples/nats)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/federation/
  DESTINATION usr/share/doc/renkei/examples/federation)

# CPack: one binary package, `renkei`.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME renkei)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /)
set(CPACK_PACKAGE_CONTACT "Renkei maintainers <renkei@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "home medical and long-term care collaboration platform (services, gateway, console)")
set(CPACK_PACKAGE_DESCRIPTION
  "Renkei supports municipalities' home medical and long-term care collaboration program:
the directory of resources, consultations (intake), regional issues, training, indicators and
the coordinator network, as gRPC services with a NATS JetStream event stream and RocksDB state,
an HTTP/JSON gateway with the Japanese staff console, and renkeictl. systemd template units run
several instances (municipality, prefecture, nation) on one host.")
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The libraries the binaries link (gRPC, protobuf, RocksDB, cnats, libsodium, ...) from
# dpkg-shlibdeps; the private library is found in the package itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS usr/lib/renkei)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "nats-server, adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/deploy/package/postinst
  ${PROJECT_SOURCE_DIR}/deploy/package/prerm
  ${PROJECT_SOURCE_DIR}/deploy/package/postrm
  ${PROJECT_SOURCE_DIR}/deploy/package/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# gzip: fast on CI's 2 cores; the package is small.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
