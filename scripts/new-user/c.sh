#!/usr/bin/env bash
# New-user test, C: after `cmake --install` of the library-only build
# (scripts/install-library.sh, into /usr/local), a C program in a scratch
# directory outside the clone compiles with `pkg-config --cflags --libs
# strata` and runs with no environment variables, and a CMake project finds
# the library with find_package(strata). Exits non-zero on any failure.
set -euo pipefail
source "$(dirname "$0")/lib/common.bash"
make_scratch c
install_library
clean_environment
cd "$scratch"

write_c_program "$scratch"
echo "new-user C: cc main.c \$(pkg-config --cflags --libs strata)   [$(pkg-config --cflags --libs strata)]"
# shellcheck disable=SC2046  # pkg-config's output is meant to split into words
cc -Wall -Werror -o app main.c $(pkg-config --cflags --libs strata)
./app "$scratch/db-pkg-config"

# The same program through CMake's package: find_package, strata::strata.
mkdir cmake-app
cp main.c cmake-app/
cat >cmake-app/CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.22)
project(new_user_c C)
find_package(strata 0.3 REQUIRED)
add_executable(app main.c)
target_link_libraries(app PRIVATE strata::strata)
CMAKE
cmake -S cmake-app -B cmake-app/build >/dev/null
cmake --build cmake-app/build >/dev/null
cmake-app/build/app "$scratch/db-cmake"
echo "new-user C: ok (pkg-config and find_package)"
