// For parsers that read a file: a private directory made once per fuzzing process (removed at
// exit) and a helper that writes the input to a named file in it.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz_support.h"

namespace twinseal::fuzz {

inline const std::filesystem::path& scratchDirectory() {
    static const std::filesystem::path dir = [] {
        std::string pattern = (std::filesystem::temp_directory_path() / "twinseal-fuzz-XXXXXX").string();
        require(::mkdtemp(pattern.data()) != nullptr, "a scratch directory can be made");
        (void)std::atexit([] { std::filesystem::remove_all(scratchDirectory()); });
        return std::filesystem::path(pattern);
    }();
    return dir;
}

// Writes `size` bytes to `name` in the scratch directory (or its sub-directory) and returns
// the file's path.
inline std::string writeScratchFile(const std::string& name, const std::uint8_t* data,
                                    std::size_t size) {
    const std::filesystem::path file = scratchDirectory() / name;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    require(out.good(), "the scratch file is written");
    return file.string();
}

} // namespace twinseal::fuzz
