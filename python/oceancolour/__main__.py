"""The ``oceancolour`` command (installed by pip as a console script; also
``python -m oceancolour``): the same program as the Rust binary."""

import sys

from oceancolour import _core


def main() -> None:
    sys.exit(_core.cli_main(["oceancolour", *sys.argv[1:]]))


if __name__ == "__main__":
    main()
