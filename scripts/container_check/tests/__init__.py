"""Unit tests of container_check: python3 -m unittest discover -s scripts/container_check/tests -t scripts"""
