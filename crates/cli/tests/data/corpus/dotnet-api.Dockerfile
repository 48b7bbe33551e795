ARG DOTNET_VERSION=8.0
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION} AS build
WORKDIR /src
COPY *.csproj ./
RUN dotnet restore
COPY . .
RUN dotnet publish -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-jammy-chiseled AS final
WORKDIR /app
# .NET configuration entries: the key of a dictionary entry is called Key, its value names a setting.
ENV ASPNETCORE_URLS=http://+:8080 \
    Serilog__Enrich__0__Key=ProcessId \
    Serilog__Enrich__1__Key=ThreadId \
    Kestrel__Certificates__Default__KeyPath=certs/api-key.pem \
    TLS_KEY=certs/api-key.pem
COPY --from=build /app .
EXPOSE 8080
ENTRYPOINT ["dotnet", "Api.dll"]
