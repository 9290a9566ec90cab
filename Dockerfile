# The stackbridge image: the Swift runtime linked statically into the binary, on a slim Debian
# with only the C libraries it links (libcurl, snappy, zlib, SQLite for the spool) and
# the CA certificates. Runs as the non-root user 65532 with nothing to write outside its volumes,
# as deploy/ mounts them (read-only root file system).
#
#   docker build -t registry.internal/stackbridge:0.1.0 .
#
# The build stage uses the same Debian release as the runtime stage, so the linked library
# versions match.
FROM swift:6.3-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libcurl4-openssl-dev zlib1g-dev libsnappy-dev libsqlite3-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so that a source change does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY protos protos
RUN swift build -c release --product stackbridge --static-swift-stdlib \
    && install -D "$(swift build -c release --show-bin-path)/stackbridge" /out/stackbridge

FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        ca-certificates libcurl4 zlib1g libsnappy1v5 libsqlite3-0 \
    && rm -rf /var/lib/apt/lists/* \
    && mkdir -p /var/lib/stackbridge && chown 65532:65532 /var/lib/stackbridge
COPY --from=build /out/stackbridge /usr/local/bin/stackbridge
USER 65532:65532
EXPOSE 10057
ENTRYPOINT ["/usr/local/bin/stackbridge"]
CMD ["run", "--config", "/etc/stackbridge/config/cluster.yaml"]
