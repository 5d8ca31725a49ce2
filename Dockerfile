# Docket in one image: the web UI and the binary are built in their own stages, and the
# runtime stage holds only the binary (UI embedded) and what /health checks need.

FROM node:20-bookworm-slim AS ui
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml ./
COPY crates/ crates/
COPY demo/ demo/
COPY --from=ui /src/frontend/dist frontend/dist
RUN cargo build --release --locked -p docket && cp target/release/docket /usr/local/bin/docket

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl poppler-utils \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/docket --create-home docket
COPY --from=build /usr/local/bin/docket /usr/local/bin/docket
USER docket
ENV DOCKET_STORAGE_DIR=/var/lib/docket \
    DOCKET_BIND=0.0.0.0:8080 \
    DOCKET_LOG_FORMAT=json
VOLUME ["/var/lib/docket"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/health || exit 1
ENTRYPOINT ["docket"]
CMD ["serve"]
