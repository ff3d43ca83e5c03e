# verigate as a small, static, non-root container image.
#   docker build -t verigate .
#   docker run -p 8080:8080 -v verigate-data:/data verigate
# compose.yaml runs two instances on PostgreSQL behind a proxy.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# A static binary (pure-Go SQLite and PostgreSQL drivers): no C library needed at run time.
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/verigate ./cmd/verigate \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/verigate /usr/local/bin/verigate
# /data holds the SQLite database, reports and uploads when no PostgreSQL URL is given.
COPY --from=build --chown=nonroot:nonroot /out/data /data
WORKDIR /data
USER nonroot:nonroot
ENV VERIGATE_ADDR=0.0.0.0:8080 \
    VERIGATE_DATABASE_URL=/data/verigate.db \
    VERIGATE_REPORTS_DIR=/data/reports \
    VERIGATE_UPLOADS_DIR=/data/uploads
EXPOSE 8080
VOLUME ["/data"]
ENTRYPOINT ["/usr/local/bin/verigate"]
CMD ["serve"]
