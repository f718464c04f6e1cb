import argparse
import sys

from bench import BENCHMARKS, emit, load


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "list"}:
        print("Benchmarks (python -m bench NAME [options]):")
        for name in BENCHMARKS:
            print(f"  {name:<12} {load(name).describe}")
        return 0
    name, rest = argv[0], argv[1:]
    if name not in BENCHMARKS:
        print(f"No benchmark named {name!r}. Known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    module = load(name)
    parser = argparse.ArgumentParser(prog=f"python -m bench {name}", description=module.describe)
    module.add_arguments(parser)
    return emit(module.run(parser.parse_args(rest)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
