# Statehouse container image.
#
#   docker build -t statehouse .
#   docker run -d --name statehouse -p 127.0.0.1:8080:8080 -v statehouse-data:/var/lib/statehouse \
#       -e STATEHOUSE_USERS='[{ name = "admin", password_hash = "$pbkdf2-sha256$…", grants = { "*" = "admin" } }]' \
#       statehouse
#
# Two stages: the official Swift image builds a release binary with the Swift runtime linked in
# statically; Debian's slim image runs it with only the C libraries it loads. scripts/check-container
# (run by scripts/test) reads SWIFT_BUILD_FLAGS and the runtime apt-get list from this file, builds
# with the same flags and checks that every shared library the binary needs comes from a package
# installed below.

# --- build --------------------------------------------------------------------------------------
FROM swift:6.3.1-bookworm AS build

# The one place the release flags are written; scripts/check-container builds with exactly these.
ARG SWIFT_BUILD_FLAGS="-c release --static-swift-stdlib"

RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libpq-dev \
        libsqlite3-dev \
        libssl-dev \
        zlib1g-dev \
    ; \
    rm -rf /var/lib/apt/lists/*

WORKDIR /src

# Dependencies first, so editing Sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve

# Package.swift declares test targets; SwiftPM refuses to load the package if their directories
# are missing, even to build one product, so Tests/ comes along (it is not compiled). The build
# plugin in Plugins/ compiles docs/openapi.json into the binary.
COPY Sources ./Sources
COPY Tests ./Tests
COPY Plugins ./Plugins
COPY docs/openapi.json ./docs/openapi.json
RUN set -eux; \
    swift build ${SWIFT_BUILD_FLAGS} --product statehouse; \
    install -D -m 0755 "$(swift build ${SWIFT_BUILD_FLAGS} --show-bin-path)/statehouse" /out/statehouse; \
    strip /out/statehouse; \
    /out/statehouse --version

# --- runtime ------------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="statehouse" \
      org.opencontainers.image.description="Terraform and OpenTofu state server (backend \"http\") on SQLite or PostgreSQL" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# What the binary loads (libpq5 brings its Kerberos and LDAP libraries as dependencies),
# ca-certificates for TLS to PostgreSQL or the API, and a fixed non-root user.
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates \
        libgcc-s1 \
        libpq5 \
        libsqlite3-0 \
        libssl3 \
        libstdc++6 \
        zlib1g \
    ; \
    rm -rf /var/lib/apt/lists/*; \
    groupadd --system --gid 10001 statehouse; \
    useradd --system --uid 10001 --gid statehouse --home-dir /var/lib/statehouse --no-create-home \
        --shell /usr/sbin/nologin statehouse; \
    install -d -m 0750 -o statehouse -g statehouse /var/lib/statehouse

COPY --from=build /out/statehouse /usr/local/bin/statehouse
COPY config.toml /etc/statehouse/config.toml

# Every key of config.toml can be overridden by STATEHOUSE_<SECTION>_<KEY>, and the whole [[users]]
# list by STATEHOUSE_USERS (a TOML inline array). The server refuses to listen on "*" while the
# shipped default user is configured: set STATEHOUSE_USERS, or mount your own config file over
# /etc/statehouse/config.toml.
#
# SWIFT_BACKTRACE=enable=no: a fatal error (an allocation that fails at a memory limit) prints the
# error and the failing thread's stack and ends the process at once, so the container restarts.
# Swift's crash reporter would stop every thread and symbolicate each first, for minutes with a few
# hundred connections; `statehouse serve` sets the same itself when the variable is unset.
ENV STATEHOUSE_CONFIG=/etc/statehouse/config.toml \
    STATEHOUSE_SERVER_HOST="*" \
    STATEHOUSE_STORAGE_PATH=/var/lib/statehouse/statehouse.db \
    SWIFT_BACKTRACE=enable=no

USER 10001:10001
WORKDIR /var/lib/statehouse
VOLUME /var/lib/statehouse
EXPOSE 8080

# `statehouse healthcheck` GETs /healthz on the configured port over loopback: exit 0 or 1. It
# gives up after 5 s itself, so its reason reaches `docker inspect` before the 10 s timeout. The
# start period covers PostgreSQL's startup retries (storage.connect_timeout, 30 s). /healthz
# says the process serves; /readyz (the store answers) is for load balancers.
HEALTHCHECK --interval=15s --timeout=10s --start-period=40s --retries=3 \
    CMD ["statehouse", "healthcheck"]

# SIGTERM: stop accepting, drain in-flight requests (server.drain_timeout), exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["statehouse"]
CMD ["serve"]
