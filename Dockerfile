# syntax=docker/dockerfile:1
#
# llmbench as a container image: a static binary (CGO_ENABLED=0) on a minimal
# base. Both base images are build arguments, so a registry mirror or a locally
# built image can stand in for them:
#
#   docker build -t llmbench .
#   docker build --build-arg GO_IMAGE=mirror.example.com/golang:1.26 --build-arg VERSION=v0.1.0 -t llmbench .
#
# The build stage downloads modules through GOPROXY unless the context holds a
# vendor directory (go mod vendor), which go build then uses without network.
# Every RUN uses the exec form, so the Go image needs no shell.
#
# To start framework containers from inside this image (target container),
# mount the Docker socket: docker run -v /var/run/docker.sock:/var/run/docker.sock llmbench run ...

ARG GO_IMAGE=golang:1.26
ARG BASE_IMAGE=gcr.io/distroless/static-debian12

FROM ${GO_IMAGE} AS build
ARG VERSION=dev
ENV CGO_ENABLED=0 \
    GOFLAGS="-trimpath -buildvcs=false -ldflags=-X=main.version=${VERSION}"
WORKDIR /src
COPY . .
RUN ["go", "build", "-o", "/out/llmbench", "./cmd/llmbench"]

FROM ${BASE_IMAGE}
ENV PATH=/usr/local/bin:/usr/bin:/bin
COPY --from=build /out/llmbench /usr/local/bin/llmbench
ENTRYPOINT ["llmbench"]
