# Shared by scripts/run and scripts/test (sourced, not run): Debian packages when root,
# and a .venv with the project, reinstalled only when pyproject.toml changes.

RUNTIME_DEBS=(
  # Python with venv and pip (a minimal Debian/Ubuntu has python3 without them)
  python3 python3-venv python3-pip
  # Qt (offscreen and xcb)
  libgl1 libegl1 libfontconfig1 libfreetype6 libx11-6 libxkbcommon0 libdbus-1-3 libglib2.0-0
  fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
  libxcb-render-util0 libxcb-shape0 libxcb-xfixes0 libxcb-xkb1 libxcb-shm0 libxcb-sync1
  libxcb-util1 libxkbcommon-x11-0 libx11-xcb1
)
TEST_DEBS=(
  # X server and tools for end-to-end tests
  xvfb xauth xdotool x11-utils xclip imagemagick
  # a real Secret Service for keyring tests
  dbus dbus-x11 gnome-keyring libsecret-tools
  # packaging checks
  desktop-file-utils appstream
)

install_debs() {
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 0
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_venv() {  # $1: pip extras, e.g. "[test]" or ""
  local py=${PYTHON:-python3} stamp=.venv/.grok-desktop-installed want
  # A venv whose creation failed half-way (e.g. no ensurepip) has a python but no pip:
  # start it again rather than failing at every later run.
  if [ -x .venv/bin/python ] && ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
    echo "== .venv is incomplete (no pip): creating it again"
    rm -rf .venv
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "== creating .venv"
    if ! "$py" -m venv .venv; then
      rm -rf .venv
      echo "error: could not create a Python virtual environment with $py." >&2
      echo "Install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv) and run this again." >&2
      exit 1
    fi
  fi
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)$1"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "== installing the project into .venv"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".$1"
    echo "$want" > "$stamp"
  fi
}
