# Sourced by tools/demo and tools/test: where Swift and the llama.cpp built by tools/setup live.
export RETRACE_HOME="${RETRACE_HOME:-$HOME/.local/share/retrace}"
export PKG_CONFIG_PATH="$RETRACE_HOME/llama/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
if ! command -v swift >/dev/null 2>&1 && [ -x /opt/swift/usr/bin/swift ]; then
  export PATH="/opt/swift/usr/bin:$PATH"
fi
