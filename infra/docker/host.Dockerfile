# Builds and runs the VPP host (ASP.NET Core + co-hosted Orleans silo).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN dotnet publish src/Vpp.Host/Vpp.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Session-cookie keys (Vpp:Portal:KeysDirectory); a named volume mounted here keeps this owner.
RUN mkdir -p /var/lib/vpp/keys && chown "$APP_UID" /var/lib/vpp/keys
ENV ASPNETCORE_URLS=http://0.0.0.0:8080
EXPOSE 8080
# Not root: the image's own unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "Vpp.Host.dll"]
