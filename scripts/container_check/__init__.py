"""What CI can prove about the container image without a Docker engine; scripts/check-container runs it.

    common      the repository root, reading its files, how a check fails (Fatal, finish)
    dockerfile  parsing the Dockerfile and checking its build and runtime stages
    compose     .env.example, docker-compose.yml and the STATEHOUSE_* settings of config.toml
    context     .dockerignore and staging the build context the Dockerfile's COPY lines make
    packages    dpkg's database: who owns a file, what apt installs with a package, their files
    binary      the release binary: its shared libraries, its sizes, running it as the image does
    __main__    the three steps scripts/check-container calls: static, context, binary

Unit tests: python3 -m unittest discover -s scripts/container_check/tests -t scripts
"""
