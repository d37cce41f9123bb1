# Builds the fleet simulator (vpp-sim).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish simulators/Vpp.Simulators/Vpp.Simulators.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
# Not root: the image's own unprivileged user.
USER $APP_UID
ENTRYPOINT ["dotnet", "vpp-sim.dll"]
