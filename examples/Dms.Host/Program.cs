using Dms.Host;

var builder = WebApplication.CreateBuilder(args);
builder.AddDms();
var app = builder.Build();
app.MapDms();
app.Run();
