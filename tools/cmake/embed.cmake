# cmake -DIN=<file> -DOUT=<file.cc> -DSYMBOL=<name> -P embed.cmake
# Writes a C++ source defining `extern const char SYMBOL[]` with the file's bytes (as hex escapes
# in chunks, so any content is safe) and `extern const unsigned long SYMBOL_size`.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" hex_len)
math(EXPR size "${hex_len} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" escaped "${hex}")
# Break the literal every 2048 bytes so lines stay manageable.
string(REGEX REPLACE "((\\\\x[0-9a-f][0-9a-f]){2048})" "\\1\"\n\"" escaped "${escaped}")
file(WRITE ${OUT} "// Generated from ${IN}. Do not edit.\nnamespace renkei::common::embedded {\nextern const char ${SYMBOL}[] =\n\"${escaped}\";\nextern const unsigned long ${SYMBOL}_size = ${size};\n}\n")
