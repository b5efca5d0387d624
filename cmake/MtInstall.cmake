# What `cmake --install` puts where, and the .deb CPack makes of it:
#   bin/migtriage                         the command
#   share/migtriage/{patterns,kb}         the knowledge it finds beside itself
#   include/migtriage.h, lib/libmigtriage.a
#   lib/pkgconfig/migtriage.pc            relocatable (prefix from pcfiledir)
#   lib/cmake/migtriage/                  find_package(migtriage): migtriage::engine
#   share/man/man1/migtriage.1, bash and zsh completions
include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/patterns ${PROJECT_SOURCE_DIR}/kb
  DESTINATION ${CMAKE_INSTALL_DATADIR}/migtriage
  FILES_MATCHING PATTERN "*.json" PATTERN "*.md" PATTERN "VERSION")

# The optional libraries the engine was built with are dependencies of the
# static library too: pkg-config and the CMake package must name them.
# libarchive is opened with dlopen (archive_lazy.c), not linked, but it is
# still what the engine needs at run time: required all the same.
set(MT_PC_REQUIRES "libpcre2-8 jansson libarchive expat zlib")
set(MT_PC_DL_LIBS "")
foreach(lib ${CMAKE_DL_LIBS})
  string(APPEND MT_PC_DL_LIBS " -l${lib}")
endforeach()
set(MT_WITH_LIBHS ${LIBHS_FOUND})
set(MT_WITH_LIBISAL ${LIBISAL_FOUND})
if(LIBHS_FOUND)
  string(APPEND MT_PC_REQUIRES " libhs")
endif()
if(LIBISAL_FOUND)
  string(APPEND MT_PC_REQUIRES " libisal")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/migtriage.pc.in
  ${PROJECT_BINARY_DIR}/migtriage.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/migtriage.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

install(EXPORT migtriageTargets NAMESPACE migtriage::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migtriage)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/migtriageConfig.cmake.in
  ${PROJECT_BINARY_DIR}/migtriageConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migtriage
  PATH_VARS CMAKE_INSTALL_DATADIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/migtriageConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/migtriageConfig.cmake
  ${PROJECT_BINARY_DIR}/migtriageConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/migtriage)

# cpack -G DEB: a .deb of the same tree under /usr.
set(CPACK_PACKAGE_NAME migtriage)
set(CPACK_PACKAGE_VENDOR "migtriage")
set(CPACK_PACKAGE_CONTACT "migtriage maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "Triage of Exchange and Microsoft 365 migration logs and errors")
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# Runtime libraries found by dpkg-shlibdeps from the binary itself.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
include(CPack)
