# Turns resources/demo/catalog.json into the demo's files: one real tool archive per artifact
# and one file per stored document. Two uses:
#
#   include(make-demo-archives.cmake)            defines toolhub_demo_outputs() (configure time)
#   cmake -DTOOLHUB_DEMO_CATALOG=<catalog.json> -DTOOLHUB_DEMO_OUTPUT=<folder>
#         -P make-demo-archives.cmake            writes the files (build time)
#
# Layout under <folder> (the relative paths are the storage keys server/core/demo/demo.cpp
# records; keep both in step):
#   catalog.json                                                   a copy of the input
#   artifacts/<product>/<tool>/<version>/<tool>-<version>-<platform>-<arch>.tar.gz  (.zip on windows)
#   documents/<product>/<file>
#
# Every archive holds bin/<tool> (a POSIX sh script; bin/<tool>.cmd on windows), README.txt and
# LICENSE.txt with fixed modes and a fixed mtime (--mtime). An archive is rewritten only when what
# goes into it changed (.state/ remembers), a document only when its text changed: rebuilds do
# not churn.

cmake_minimum_required(VERSION 3.25)

file(SHA256 "${CMAKE_CURRENT_LIST_FILE}" _toolhub_demo_script_hash)

# The length of the array at the path ARGN in `json`; 0 when it is missing.
function(_toolhub_demo_json_length out_var json)
  string(JSON length ERROR_VARIABLE error LENGTH "${json}" ${ARGN})
  if(error)
    set(length 0)
  endif()
  set(${out_var} ${length} PARENT_SCOPE)
endfunction()

function(_toolhub_demo_archive_name tool version platform arch out_var)
  if(platform STREQUAL "windows")
    set(ext "zip")
  else()
    set(ext "tar.gz")
  endif()
  set(${out_var} "${tool}-${version}-${platform}-${arch}.${ext}" PARENT_SCOPE)
endfunction()

# Lists the relative paths (storage keys) of every artifact and document in `catalog_file`.
function(toolhub_demo_outputs catalog_file out_var)
  file(READ "${catalog_file}" json)
  set(outputs "")
  _toolhub_demo_json_length(product_count "${json}" products)
  if(product_count EQUAL 0)
    message(FATAL_ERROR "${catalog_file}: no products")
  endif()
  math(EXPR product_last "${product_count} - 1")
  foreach(p RANGE ${product_last})
    string(JSON product GET "${json}" products ${p} slug)
    _toolhub_demo_json_length(tool_count "${json}" products ${p} tools)
    if(tool_count GREATER 0)
      math(EXPR tool_last "${tool_count} - 1")
      foreach(t RANGE ${tool_last})
        string(JSON tool GET "${json}" products ${p} tools ${t} slug)
        _toolhub_demo_json_length(release_count "${json}" products ${p} tools ${t} releases)
        _toolhub_demo_json_length(platform_count "${json}" products ${p} tools ${t} platforms)
        if(release_count GREATER 0 AND platform_count GREATER 0)
          math(EXPR release_last "${release_count} - 1")
          math(EXPR platform_last "${platform_count} - 1")
          foreach(r RANGE ${release_last})
            string(JSON version GET "${json}" products ${p} tools ${t} releases ${r} version)
            foreach(k RANGE ${platform_last})
              string(JSON target GET "${json}" products ${p} tools ${t} platforms ${k})
              string(REPLACE "/" ";" parts "${target}")
              list(GET parts 0 platform)
              list(GET parts 1 arch)
              _toolhub_demo_archive_name("${tool}" "${version}" "${platform}" "${arch}" name)
              list(APPEND outputs
                "artifacts/${product}/${tool}/${version}/${name}|${product}|${tool}|${version}|${platform}|${arch}")
            endforeach()
          endforeach()
        endif()
      endforeach()
    endif()
    _toolhub_demo_json_length(document_count "${json}" products ${p} documents)
    if(document_count GREATER 0)
      math(EXPR document_last "${document_count} - 1")
      foreach(d RANGE ${document_last})
        string(JSON file GET "${json}" products ${p} documents ${d} file)
        list(APPEND outputs "documents/${product}/${file}|${p}|${d}")
      endforeach()
    endif()
  endforeach()
  set(${out_var} "${outputs}" PARENT_SCOPE)
endfunction()

# Writes `content` to `path` unless the file holds exactly that already (no mtime churn).
function(_toolhub_demo_write path content)
  if(EXISTS "${path}")
    file(READ "${path}" old)
    if(old STREQUAL content)
      return()
    endif()
  endif()
  get_filename_component(dir "${path}" DIRECTORY)
  file(MAKE_DIRECTORY "${dir}")
  file(WRITE "${path}.tmp" "${content}")
  file(RENAME "${path}.tmp" "${path}")
endfunction()

function(_toolhub_demo_make_archive output_dir key tool version platform arch)
  set(target "${output_dir}/${key}")
  get_filename_component(name "${target}" NAME)
  get_filename_component(dir "${target}" DIRECTORY)

  if(platform STREQUAL "windows")
    set(program "bin/${tool}.cmd")
    set(body "@echo off\r\necho ${tool} ${version}\r\n")
    set(mode cf)
    set(format --format=zip)
  else()
    set(program "bin/${tool}")
    set(body "#!/bin/sh\necho \"${tool} ${version}\"\n")
    set(mode czf)
    set(format --format=gnutar)
  endif()
  set(readme "${tool} ${version} for ${platform}/${arch}\n\nA demo tool of the Toolhub demo catalog. Run ${program} to print its version.\n")
  set(license "${tool} ${version}\nCopyright (c) 2025-2026 Toolhub demo vendor.\nDemo software: no rights granted beyond trying out Toolhub.\n")

  # gzip headers and zip extra fields carry the packing time whatever --mtime says: instead of
  # comparing bytes, an archive is left alone while what went into it is unchanged.
  string(SHA256 inputs "${_toolhub_demo_script_hash}|${key}|${program}|${body}|${readme}|${license}")
  set(state "${output_dir}/.state/${key}.inputs")
  if(EXISTS "${target}" AND EXISTS "${state}")
    file(READ "${state}" previous)
    if(previous STREQUAL inputs)
      return()
    endif()
  endif()

  set(stage "${output_dir}/.staging/${name}")
  file(REMOVE_RECURSE "${stage}")
  file(MAKE_DIRECTORY "${stage}/bin")
  file(WRITE "${stage}/README.txt" "${readme}")
  file(WRITE "${stage}/LICENSE.txt" "${license}")
  file(WRITE "${stage}/${program}" "${body}")
  file(CHMOD "${stage}/README.txt" "${stage}/LICENSE.txt"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(CHMOD "${stage}/${program}"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE
                     WORLD_READ WORLD_EXECUTE)

  file(MAKE_DIRECTORY "${dir}")
  set(temp "${dir}/.${name}.tmp")
  execute_process(
    COMMAND "${CMAKE_COMMAND}" -E tar ${mode} "${temp}" ${format}
            "--mtime=2025-01-01 00:00:00 UTC" -- "${program}" README.txt LICENSE.txt
    WORKING_DIRECTORY "${stage}"
    RESULT_VARIABLE result
    ERROR_VARIABLE error)
  file(REMOVE_RECURSE "${stage}")
  if(NOT result EQUAL 0)
    file(REMOVE "${temp}")
    message(FATAL_ERROR "packing ${key} failed: ${error}")
  endif()
  file(RENAME "${temp}" "${target}")
  _toolhub_demo_write("${state}" "${inputs}")
endfunction()

function(toolhub_demo_generate catalog_file output_dir)
  file(READ "${catalog_file}" json)
  toolhub_demo_outputs("${catalog_file}" entries)
  foreach(entry IN LISTS entries)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 key)
    if(key MATCHES "^artifacts/")
      list(GET fields 2 tool)
      list(GET fields 3 version)
      list(GET fields 4 platform)
      list(GET fields 5 arch)
      _toolhub_demo_make_archive("${output_dir}" "${key}" "${tool}" "${version}" "${platform}"
                                 "${arch}")
    else()
      list(GET fields 1 p)
      list(GET fields 2 d)
      string(JSON content GET "${json}" products ${p} documents ${d} content)
      _toolhub_demo_write("${output_dir}/${key}" "${content}")
    endif()
  endforeach()
  file(REMOVE_RECURSE "${output_dir}/.staging")
  file(READ "${catalog_file}" copy)
  _toolhub_demo_write("${output_dir}/catalog.json" "${copy}")
endfunction()

if(CMAKE_SCRIPT_MODE_FILE AND DEFINED TOOLHUB_DEMO_CATALOG)
  if(NOT DEFINED TOOLHUB_DEMO_OUTPUT)
    message(FATAL_ERROR "set TOOLHUB_DEMO_OUTPUT to the output folder")
  endif()
  get_filename_component(_toolhub_demo_output "${TOOLHUB_DEMO_OUTPUT}" ABSOLUTE)
  toolhub_demo_generate("${TOOLHUB_DEMO_CATALOG}" "${_toolhub_demo_output}")
  if(DEFINED TOOLHUB_DEMO_STAMP)
    file(TOUCH "${TOOLHUB_DEMO_STAMP}")
  endif()
endif()
