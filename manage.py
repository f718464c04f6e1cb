#!/usr/bin/env python
import sys

from baijia import use_default_settings

if __name__ == "__main__":
    use_default_settings()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
