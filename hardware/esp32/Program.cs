using System.Threading;
using NanoQuant.Samples;

namespace NanoQuant.Samples.Esp32
{
    /// <summary>
    /// nanoQuant on ESP32 (WROVER / ESP32-S3): the bundled sine model (the project's own demo, samples/sine, quantized
    /// to int8 by nanoQuant) is written to the board's storage on first run, loaded from the file, and run on
    /// the bundled inputs. Output goes to the debug console (Visual Studio Output window, or the serial port).
    /// To run your own model, copy its .nq file to the board (see hardware/README.md) and set ModelPath.
    /// </summary>
    public static class Program
    {
        // I:\ is the internal flash file system nanoFramework's ESP32 firmware mounts (SPIFFS/LittleFS).
        // With an SD card wired and mounted (nanoFramework.System.IO.FileSystem SDCard class), use D:\ instead.
        private const string ModelPath = "I:\\sine.nq";

        public static void Main()
        {
            ModelDemo.Run(
                "ESP32 (WROVER / ESP32-S3)",
                ModelPath,
                Resources.GetBytes(Resources.BinaryResources.model),
                Resources.GetBytes(Resources.BinaryResources.input),
                100);

            Thread.Sleep(Timeout.Infinite);
        }
    }
}
