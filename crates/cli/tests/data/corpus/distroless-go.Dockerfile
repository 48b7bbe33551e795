# syntax=docker/dockerfile:1
# The builder may have sudo; the image that ships is distroless: no sudo, no shell, user nonroot.
FROM golang:1.23 AS build
RUN apt-get update && apt-get install -y --no-install-recommends sudo && echo 'builder ALL=(ALL) NOPASSWD: ALL' >> /etc/sudoers
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
