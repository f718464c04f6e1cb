import argparse
import sys

from bench import BENCHMARKS, emit, load


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "list"}:
        sys.stdout.write("Benchmarks (python -m bench NAME [options]):\n")
        for name in BENCHMARKS:
            sys.stdout.write(f"  {name:<12} {load(name).describe}\n")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        sys.stderr.write(f"No benchmark named {name!r}. Known: {', '.join(BENCHMARKS)}\n")
        return 2
    module = load(name)
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=module.describe)
    module.add_arguments(parser)
    return emit(module.run(parser.parse_args(rest)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
