# escape=`

FROM mcr.microsoft.com/windows/servercore:ltsc2022

SHELL ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]

ENV GIT_VERSION=2.46.0 `
    GIT_HOME=C:\git

RUN Invoke-WebRequest -Uri "https://github.com/git-for-windows/git/releases/download/v$env:GIT_VERSION.windows.1/MinGit-$env:GIT_VERSION-64-bit.zip" -OutFile mingit.zip; `
    Expand-Archive mingit.zip -DestinationPath $env:GIT_HOME; `
    Remove-Item mingit.zip -Force

COPY app\ C:\app\
WORKDIR C:\app
CMD ["C:\\app\\server.exe"]
