# escape=`

# A .NET Framework service on Windows Server Core. Backtick is the escape character so that
# Windows paths can keep their backslashes, including at the end of a line.
ARG WINDOWS_VERSION=ltsc2022
FROM mcr.microsoft.com/dotnet/framework/runtime:4.8.1-windowsservercore-${WINDOWS_VERSION}

SHELL ["powershell", "-NoLogo", "-NoProfile", "-Command", "$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue';"]

ENV SERVICE_VERSION=3.4.2 `
    SERVICE_HOME=C:\service `
    ASPNETCORE_URLS=http://+:8080

LABEL org.opencontainers.image.title="inventory-sync" `
      org.opencontainers.image.vendor="Example Retail"

# Download the release zip, check its hash, and unpack it.
RUN $url = ('https://releases.example.com/inventory-sync/{0}/inventory-sync-{0}.zip' -f $env:SERVICE_VERSION); `
    Write-Host ('Downloading {0} ...' -f $url); `
    Invoke-WebRequest -Uri $url -OutFile C:\inventory-sync.zip -UseBasicParsing; `
    `
    $sha256 = '0c8b7e7d3f64a2d5b2a6f6f0e2e0a4e2b3c9d1e8f7a6b5c4d3e2f1a0b9c8d7e6'; `
    Write-Host ('Verifying sha256 ({0}) ...' -f $sha256); `
    if ((Get-FileHash C:\inventory-sync.zip -Algorithm sha256).Hash -ne $sha256) { `
        Write-Host 'FAILED!'; `
        exit 1; `
    }; `
    `
    Expand-Archive -Path C:\inventory-sync.zip -DestinationPath $env:SERVICE_HOME; `
    Remove-Item C:\inventory-sync.zip -Force

# Service configuration; the trailing backslash on the destination is a directory, not an escape.
COPY config\appsettings.json C:\service\
COPY ["scripts\\Start-Service.ps1", "C:\\service\\Start-Service.ps1"]

RUN New-LocalUser -Name svcrunner -NoPassword -AccountNeverExpires -UserMayNotChangePassword | Out-Null; `
    icacls C:\service /grant 'svcrunner:(OI)(CI)RX' /T | Out-Null

WORKDIR C:\service
USER ContainerUser
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --retries=3 `
    CMD powershell -Command "try { $r = Invoke-WebRequest -UseBasicParsing http://localhost:8080/health; if ($r.StatusCode -eq 200) { exit 0 } else { exit 1 } } catch { exit 1 }"
ENTRYPOINT ["powershell", "-File", "C:\\service\\Start-Service.ps1"]
