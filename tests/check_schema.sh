#!/bin/sh
# Runs check_schema.py with a Python that has jsonschema (Debian's
# python3-jsonschema lives with /usr/bin/python3, which may not be first on
# PATH).
for py in python3 /usr/bin/python3; do
  if "$py" -c 'import jsonschema' 2>/dev/null; then
    exec "$py" "$(dirname "$0")/check_schema.py" "$1"
  fi
done
echo "check_schema: no python3 with jsonschema (apt-get install python3-jsonschema)" >&2
exit 1
